//! `/model`: choose a model, then its reasoning effort.

use codex_protocol::{ReasoningEffort, ReasoningSummary};
use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use super::picker::{Picker, PickerItem, PickerKey};

/// A model offered by `/model` (OpenAI's built-in provider).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelPreset {
    /// The model's name as sent to the API.
    pub model: &'static str,
    /// What it is good for.
    pub description: &'static str,
    /// Efforts it accepts, least first.
    pub efforts: &'static [ReasoningEffort],
    /// The effort it uses when none is set.
    pub default_effort: ReasoningEffort,
}

const CODEX_EFFORTS: &[ReasoningEffort] = &[
    ReasoningEffort::Low,
    ReasoningEffort::Medium,
    ReasoningEffort::High,
];

/// The models `/model` lists for OpenAI's provider, in Codex's order. Other models stay
/// reachable with `-m` or `model =` in config.toml.
pub const MODEL_PRESETS: &[ModelPreset] = &[
    ModelPreset {
        model: "gpt-5.1-codex",
        description: "tuned for coding work",
        efforts: CODEX_EFFORTS,
        default_effort: ReasoningEffort::Medium,
    },
    ModelPreset {
        model: "gpt-5.1-codex-mini",
        description: "cheaper and faster, less capable",
        efforts: &[ReasoningEffort::Medium, ReasoningEffort::High],
        default_effort: ReasoningEffort::Medium,
    },
    ModelPreset {
        model: "gpt-5.1",
        description: "broad knowledge and reasoning",
        efforts: CODEX_EFFORTS,
        default_effort: ReasoningEffort::Medium,
    },
];

/// The name config.toml uses for an effort.
pub fn effort_name(effort: ReasoningEffort) -> &'static str {
    match effort {
        ReasoningEffort::None => "none",
        ReasoningEffort::Minimal => "minimal",
        ReasoningEffort::Low => "low",
        ReasoningEffort::Medium => "medium",
        ReasoningEffort::High => "high",
        ReasoningEffort::Xhigh => "xhigh",
    }
}

/// The name config.toml uses for a summary style.
pub fn summary_name(summary: ReasoningSummary) -> &'static str {
    match summary {
        ReasoningSummary::Auto => "auto",
        ReasoningSummary::Concise => "concise",
        ReasoningSummary::Detailed => "detailed",
        ReasoningSummary::None => "none",
    }
}

fn effort_description(effort: ReasoningEffort) -> &'static str {
    match effort {
        ReasoningEffort::None | ReasoningEffort::Minimal => "fastest, least thought",
        ReasoningEffort::Low => "quick answers to simple tasks",
        ReasoningEffort::Medium => "balanced speed and depth",
        ReasoningEffort::High => "deeper thought for hard problems",
        ReasoningEffort::Xhigh => "the most thought, slowest",
    }
}

/// What `/model` settled on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelChoice {
    /// The model.
    pub model: String,
    /// Its effort; `None` for a model that takes none (the configured effort stays as is).
    pub effort: Option<ReasoningEffort>,
}

/// What a key did to the `/model` flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelPickerKey {
    /// Still choosing.
    Pending,
    /// Esc on the first list.
    Cancelled,
    /// Both steps done.
    Chosen(ModelChoice),
}

/// The two-step `/model` list.
#[derive(Debug, Clone)]
pub struct ModelPicker {
    models: Vec<(String, &'static [ReasoningEffort], ReasoningEffort)>,
    current_effort: Option<ReasoningEffort>,
    current_model: String,
    /// Step one: the models.
    model_list: Picker,
    /// Step two, once a model is chosen: (its index, the effort list).
    effort_list: Option<(usize, Picker)>,
}

impl ModelPicker {
    /// The list for a session on `current_model` at `current_effort`. The presets are
    /// offered when the provider is OpenAI's; the current model always is.
    pub fn new(
        current_model: &str,
        current_effort: Option<ReasoningEffort>,
        openai_provider: bool,
    ) -> Self {
        let mut models: Vec<(String, &'static [ReasoningEffort], ReasoningEffort, &str)> =
            Vec::new();
        if openai_provider {
            for p in MODEL_PRESETS {
                models.push((
                    p.model.to_owned(),
                    p.efforts,
                    p.default_effort,
                    p.description,
                ));
            }
        }
        if !models.iter().any(|m| m.0 == current_model) {
            // A model of a family without reasoning is offered without an effort step.
            let efforts: &'static [ReasoningEffort] =
                if codex_core::model_takes_reasoning_effort(current_model) {
                    CODEX_EFFORTS
                } else {
                    &[]
                };
            models.insert(
                0,
                (
                    current_model.to_owned(),
                    efforts,
                    ReasoningEffort::Medium,
                    "the model in use",
                ),
            );
        }
        let items = models
            .iter()
            .map(|(name, _, _, description)| PickerItem {
                name: name.clone(),
                description: (*description).to_owned(),
                current: name == current_model,
            })
            .collect();
        let subtitle = if openai_provider {
            "Other models: start with -m <model> or set `model` in config.toml."
        } else {
            "This provider's models: start with -m <model> or set `model` in config.toml."
        };
        Self {
            models: models.into_iter().map(|(n, e, d, _)| (n, e, d)).collect(),
            current_effort,
            current_model: current_model.to_owned(),
            model_list: Picker::new("Choose a model", Some(subtitle), items),
            effort_list: None,
        }
    }

    /// Handles a key; Esc on the effort list goes back to the models.
    pub fn handle_key(&mut self, key: KeyEvent) -> ModelPickerKey {
        if let Some((model, list)) = &mut self.effort_list {
            return match list.handle_key(key) {
                PickerKey::Handled => ModelPickerKey::Pending,
                PickerKey::Cancelled => {
                    self.effort_list = None;
                    ModelPickerKey::Pending
                }
                PickerKey::Chosen(i) => {
                    let (name, efforts, default) = &self.models[*model];
                    ModelPickerKey::Chosen(ModelChoice {
                        model: name.clone(),
                        effort: Some(efforts.get(i).copied().unwrap_or(*default)),
                    })
                }
            };
        }
        match self.model_list.handle_key(key) {
            PickerKey::Handled => ModelPickerKey::Pending,
            PickerKey::Cancelled => ModelPickerKey::Cancelled,
            PickerKey::Chosen(i) => {
                let (name, efforts, _) = &self.models[i];
                if efforts.is_empty() {
                    // Nothing to choose: the request will carry no effort.
                    return ModelPickerKey::Chosen(ModelChoice {
                        model: name.clone(),
                        effort: None,
                    });
                }
                self.effort_list = Some((i, self.effort_list(i)));
                ModelPickerKey::Pending
            }
        }
    }

    fn list(&self) -> &Picker {
        self.effort_list
            .as_ref()
            .map_or(&self.model_list, |(_, list)| list)
    }

    fn effort_list(&self, model: usize) -> Picker {
        let (name, efforts, default) = &self.models[model];
        let current = if *name == self.current_model {
            self.current_effort.unwrap_or(*default)
        } else {
            *default
        };
        let items = efforts
            .iter()
            .map(|e| PickerItem {
                name: effort_name(*e).to_owned(),
                description: effort_description(*e).to_owned(),
                current: *e == current,
            })
            .collect();
        Picker::new(&format!("Reasoning effort for {name}"), None, items)
    }

    /// Rows the list needs.
    pub fn height(&self) -> u16 {
        self.list().height()
    }
}

impl Widget for &ModelPicker {
    fn render(self, area: Rect, buf: &mut Buffer) {
        self.list().render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn draw(p: &ModelPicker, width: u16) -> String {
        let mut term = Terminal::new(TestBackend::new(width, p.height())).unwrap();
        term.draw(|f| f.render_widget(p, f.area())).unwrap();
        term.backend().to_string()
    }

    #[test]
    fn picks_a_model_then_its_effort() {
        let mut p = ModelPicker::new("gpt-5.1-codex", Some(ReasoningEffort::High), true);
        insta::assert_snapshot!("model_picker_80", draw(&p, 80));
        insta::assert_snapshot!("model_picker_50", draw(&p, 50));
        assert_eq!(p.handle_key(key(KeyCode::Down)), ModelPickerKey::Pending);
        assert_eq!(p.handle_key(key(KeyCode::Enter)), ModelPickerKey::Pending);
        insta::assert_snapshot!("model_picker_effort", draw(&p, 80));
        assert_eq!(
            p.handle_key(key(KeyCode::Enter)),
            ModelPickerKey::Chosen(ModelChoice {
                model: "gpt-5.1-codex-mini".to_owned(),
                effort: Some(ReasoningEffort::Medium),
            })
        );
    }

    #[test]
    fn a_model_without_reasoning_is_chosen_without_an_effort_step() {
        let mut p = ModelPicker::new("gpt-4.1", Some(ReasoningEffort::Low), true);
        // The model in use comes first; Enter chooses it at once.
        assert_eq!(
            p.handle_key(key(KeyCode::Enter)),
            ModelPickerKey::Chosen(ModelChoice {
                model: "gpt-4.1".to_owned(),
                effort: None,
            })
        );
        // Chosen again with no effort configured: nothing changes, nothing restarts.
        let mut p = ModelPicker::new("gpt-4.1", None, true);
        let ModelPickerKey::Chosen(choice) = p.handle_key(key(KeyCode::Enter)) else {
            panic!("chosen at once");
        };
        let home = tempfile::tempdir().unwrap();
        let mut config = codex_config::Config::load(codex_config::ConfigOverrides {
            codex_home: Some(home.path().to_owned()),
            cwd: Some(home.path().to_owned()),
            model: Some("gpt-4.1".to_owned()),
            ..Default::default()
        })
        .unwrap();
        let change = crate::slash::settings::SettingsChange::Model(choice);
        assert_eq!(change.apply(&mut config), None);
        assert_eq!(config.model_reasoning_effort, None);
        // A reasoning model not in the presets still gets the effort step.
        let mut p = ModelPicker::new("o3", None, true);
        assert_eq!(p.handle_key(key(KeyCode::Enter)), ModelPickerKey::Pending);
        assert!(draw(&p, 80).contains("Reasoning effort for o3"));
    }

    #[test]
    fn esc_on_efforts_goes_back_and_esc_again_cancels() {
        let mut p = ModelPicker::new("gpt-5.1-codex", None, true);
        p.handle_key(key(KeyCode::Char('3')));
        assert_eq!(p.handle_key(key(KeyCode::Esc)), ModelPickerKey::Pending);
        assert_eq!(p.handle_key(key(KeyCode::Enter)), ModelPickerKey::Pending);
        assert_eq!(
            p.handle_key(key(KeyCode::Char('3'))),
            ModelPickerKey::Chosen(ModelChoice {
                model: "gpt-5.1".to_owned(),
                effort: Some(ReasoningEffort::High),
            })
        );
        let mut p = ModelPicker::new("gpt-5.1-codex", None, true);
        assert_eq!(p.handle_key(key(KeyCode::Esc)), ModelPickerKey::Cancelled);
    }

    #[test]
    fn another_provider_offers_its_current_model() {
        let mut p = ModelPicker::new("llama3", None, false);
        insta::assert_snapshot!("model_picker_other_provider", draw(&p, 80));
        // A local model's family takes no reasoning effort: chosen without that step.
        assert_eq!(
            p.handle_key(key(KeyCode::Enter)),
            ModelPickerKey::Chosen(ModelChoice {
                model: "llama3".to_owned(),
                effort: None,
            })
        );
    }
}
