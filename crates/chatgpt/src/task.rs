//! A Codex Cloud task as `GET {base}/wham/tasks/{id}` returns it, reduced to what applying
//! it needs: the diff of the current diff turn's `pr` output item.

use reqwest::StatusCode;
use serde::Deserialize;

use crate::{ChatGptClient, ChatGptError};

/// What the backend says about a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// The id asked for.
    pub id: String,
    /// The diff of its current diff turn; `None` while it has none (still running, or it
    /// ended without changing files).
    pub diff: Option<TaskDiff>,
}

/// The diff a task produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDiff {
    /// A unified diff in git's format.
    pub diff: String,
    /// The commit the task started from, when the backend says.
    pub base_commit_sha: Option<String>,
    /// The title of the pull request the task proposed, when there is one.
    pub title: Option<String>,
}

impl ChatGptClient {
    /// Fetches task `task_id` and picks out its diff. A 404 is
    /// [`ChatGptError::TaskNotFound`].
    pub async fn get_task_diff(&self, task_id: &str) -> Result<Task, ChatGptError> {
        if task_id.trim().is_empty() {
            return Err(ChatGptError::EmptyTaskId);
        }
        let url = self.url(&["wham", "tasks", task_id]);
        let response: TaskResponse = match self.get_json(&url).await? {
            Ok(response) => response,
            Err(failure) if failure.status == StatusCode::NOT_FOUND => {
                return Err(ChatGptError::TaskNotFound {
                    task_id: task_id.to_owned(),
                    url: failure.url,
                });
            }
            Err(failure) => {
                return Err(ChatGptError::Status {
                    url: failure.url,
                    status: failure.status.to_string(),
                    message: failure.message,
                });
            }
        };
        Ok(Task {
            id: task_id.to_owned(),
            diff: response.into_diff(),
        })
    }
}

/// The response, tolerant of everything it does not need.
#[derive(Debug, Default, Deserialize)]
struct TaskResponse {
    #[serde(default)]
    current_diff_task_turn: Option<Turn>,
    /// What older backends called the same turn.
    #[serde(default)]
    current_assistant_turn: Option<Turn>,
}

#[derive(Debug, Default, Deserialize)]
struct Turn {
    #[serde(default)]
    output_items: Vec<OutputItem>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type")]
enum OutputItem {
    #[serde(rename = "pr")]
    Pr(PrItem),
    #[serde(other)]
    Other,
}

#[derive(Debug, Default, Deserialize)]
struct PrItem {
    #[serde(default)]
    pr_title: Option<String>,
    #[serde(default)]
    output_diff: Option<OutputDiff>,
}

#[derive(Debug, Default, Deserialize)]
struct OutputDiff {
    #[serde(default)]
    diff: Option<String>,
    #[serde(default)]
    base_commit_sha: Option<String>,
}

impl TaskResponse {
    fn into_diff(self) -> Option<TaskDiff> {
        let turn = self
            .current_diff_task_turn
            .or(self.current_assistant_turn)?;
        turn.output_items.into_iter().find_map(|item| {
            let OutputItem::Pr(pr) = item else {
                return None;
            };
            let output = pr.output_diff?;
            let diff = output.diff.filter(|d| !d.trim().is_empty())?;
            Some(TaskDiff {
                diff,
                base_commit_sha: output.base_commit_sha.filter(|s| !s.is_empty()),
                title: pr.pr_title.filter(|s| !s.is_empty()),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn diff_of(json: &str) -> Option<TaskDiff> {
        serde_json::from_str::<TaskResponse>(json)
            .unwrap()
            .into_diff()
    }

    #[test]
    fn the_pr_item_of_the_current_diff_turn_is_taken() {
        let json = r#"{
            "task": {"id": "t"},
            "current_diff_task_turn": {"output_items": [
                {"type": "message", "role": "assistant", "content": []},
                {"type": "pr", "pr_title": "Add x", "output_diff": {
                    "type": "output_diff", "diff": "diff --git a/x b/x\n", "base_commit_sha": "abc",
                    "files_modified": 1
                }}
            ]}
        }"#;
        assert_eq!(
            diff_of(json),
            Some(TaskDiff {
                diff: "diff --git a/x b/x\n".into(),
                base_commit_sha: Some("abc".into()),
                title: Some("Add x".into()),
            })
        );
    }

    #[test]
    fn older_field_name_and_missing_diffs() {
        let old = r#"{"current_assistant_turn": {"output_items": [{"type": "pr", "output_diff": {"diff": "d"}}]}}"#;
        assert_eq!(diff_of(old).unwrap().diff, "d");
        assert_eq!(diff_of("{}"), None);
        assert_eq!(diff_of(r#"{"current_diff_task_turn": null}"#), None);
        let no_diff = r#"{"current_diff_task_turn": {"output_items": [{"type": "pr"}, {"type": "pr", "output_diff": {"diff": ""}}]}}"#;
        assert_eq!(diff_of(no_diff), None);
    }
}
