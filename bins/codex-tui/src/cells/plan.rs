//! The plan (`update_plan`) as a checklist.

use codex_protocol::protocol::{StepStatus, UpdatePlanArgs};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::cells::{safe, styles};

/// `• Updated Plan`, the explanation, then one line per step: `✔` done, `□` in progress (bold
/// cyan), `□` pending.
pub(crate) fn plan_cell(args: &UpdatePlanArgs) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::raw("• "),
        Span::styled("Updated Plan", styles::bold()),
    ])];
    if let Some(explanation) = args.explanation.as_deref().filter(|e| !e.trim().is_empty()) {
        for (i, l) in safe(explanation).lines().enumerate() {
            let lead = if i == 0 { "  └ " } else { "    " };
            lines.push(Line::from(Span::styled(
                format!("{lead}{l}"),
                styles::dim().add_modifier(Modifier::ITALIC),
            )));
        }
    }
    if args.plan.is_empty() {
        lines.push(Line::from(Span::styled("    (no steps)", styles::dim())));
    }
    for item in &args.plan {
        let step = safe(&item.step);
        let (mark, style) = match item.status {
            StepStatus::Completed => ("✔ ", styles::dim().add_modifier(Modifier::CROSSED_OUT)),
            StepStatus::InProgress => (
                "□ ",
                Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            ),
            StepStatus::Pending => ("□ ", Style::new()),
        };
        lines.push(Line::from(vec![
            Span::raw("    "),
            Span::styled(mark, style.remove_modifier(Modifier::CROSSED_OUT)),
            Span::styled(step, style),
        ]));
    }
    lines
}
