//! A deliberately small reader for `bash -lc "<script>"` scripts.
//!
//! The only scripts trusted are lists of plain commands joined by `&&`, `||`, `;`, `|` or
//! newlines, whose words are unquoted literals, `'single'` or `"double"` quoted text without
//! expansions. Anything with redirections, substitutions, variables, globs, subshells, groups,
//! comments or background jobs is "not plain": we do not try to understand it, and the caller
//! treats the script as untrusted. The reader still returns its best split of such scripts so
//! that dangerous commands inside them can be spotted.

/// A script split into commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Script {
    /// Each command's words, in order.
    pub(crate) commands: Vec<Vec<String>>,
    /// Whether the script used only the plain constructs described in the module docs.
    pub(crate) plain: bool,
}

/// Splits a script into commands. Never fails: unknown constructs clear [`Script::plain`].
pub(crate) fn split_script(script: &str) -> Script {
    let mut reader = Reader {
        chars: script.chars().peekable(),
        commands: Vec::new(),
        current: Vec::new(),
        word: None,
        plain: true,
        dangling_operator: false,
    };
    reader.run();
    reader.finish()
}

/// The commands of a plain script, or `None` if the script is not plain (or is empty).
pub(crate) fn plain_commands(script: &str) -> Option<Vec<Vec<String>>> {
    let parsed = split_script(script);
    (parsed.plain && !parsed.commands.is_empty()).then_some(parsed.commands)
}

/// What ended a command.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    Newline,
    Semicolon,
    /// `&&`, `||`, `|`: a command must follow.
    Operator,
}

struct Reader<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    commands: Vec<Vec<String>>,
    current: Vec<String>,
    word: Option<String>,
    plain: bool,
    /// An operator that needs a command after it (`&&`, `||`, `|`) was the last thing seen.
    dangling_operator: bool,
}

impl Reader<'_> {
    fn run(&mut self) {
        while let Some(c) = self.chars.next() {
            match c {
                ' ' | '\t' => self.end_word(),
                '\n' => self.separator(Sep::Newline),
                ';' => {
                    if self.chars.next_if_eq(&';').is_some() {
                        self.plain = false; // `;;` only exists inside `case`.
                    }
                    self.separator(Sep::Semicolon);
                }
                '&' => {
                    if self.chars.next_if_eq(&'&').is_none() {
                        self.plain = false; // background job or `&>` redirection
                    }
                    self.separator(Sep::Operator);
                }
                '|' => {
                    if self.chars.next_if_eq(&'&').is_some() {
                        self.plain = false;
                    } else {
                        self.chars.next_if_eq(&'|');
                    }
                    self.separator(Sep::Operator);
                }
                '\'' => self.single_quoted(),
                '"' => self.double_quoted(),
                '\\' => match self.chars.next() {
                    Some('\n') | None => self.plain = false,
                    Some(escaped) => self.push(escaped),
                },
                // Redirections and subshells: the word ends here, and the script is not plain.
                '<' | '>' | '(' | ')' => {
                    self.plain = false;
                    self.end_word();
                }
                // Expansions, globs, groups, comments, negation: kept in the word for the
                // best-effort split, but never trusted.
                '$' | '`' | '*' | '?' | '[' | ']' | '{' | '}' | '#' | '!' => {
                    self.plain = false;
                    self.push(c);
                }
                other => self.push(other),
            }
        }
    }

    fn push(&mut self, c: char) {
        self.word.get_or_insert_with(String::new).push(c);
    }

    fn end_word(&mut self) {
        if let Some(word) = self.word.take() {
            self.current.push(word);
            self.dangling_operator = false;
        }
    }

    /// Ends the current command at a separator.
    fn separator(&mut self, sep: Sep) {
        self.end_word();
        if !self.current.is_empty() {
            self.commands.push(std::mem::take(&mut self.current));
            self.dangling_operator = sep == Sep::Operator;
            return;
        }
        match sep {
            // A blank line, or a line break after `&&`/`||`/`|`: bash reads on.
            Sep::Newline => {}
            // `; ls`, `ls && ; pwd`, `&& ls`, `ls && || pwd`: syntax errors.
            Sep::Semicolon | Sep::Operator => self.plain = false,
        }
    }

    fn single_quoted(&mut self) {
        let word = self.word.get_or_insert_with(String::new);
        for c in self.chars.by_ref() {
            if c == '\'' {
                return;
            }
            word.push(c);
        }
        self.plain = false; // unterminated
    }

    fn double_quoted(&mut self) {
        self.word.get_or_insert_with(String::new);
        while let Some(c) = self.chars.next() {
            match c {
                '"' => return,
                '\\' => match self.chars.next() {
                    Some(escaped @ ('"' | '\\' | '$' | '`')) => self.push(escaped),
                    Some('\n') | None => self.plain = false,
                    Some(other) => {
                        self.push('\\');
                        self.push(other);
                    }
                },
                '$' | '`' => {
                    self.plain = false;
                    self.push(c);
                }
                other => self.push(other),
            }
        }
        self.plain = false; // unterminated
    }

    fn finish(mut self) -> Script {
        self.end_word();
        if self.current.is_empty() {
            if self.dangling_operator {
                self.plain = false; // `ls &&` at the end
            }
        } else {
            self.commands.push(std::mem::take(&mut self.current));
        }
        Script {
            commands: self.commands,
            plain: self.plain,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn cmds(script: &str) -> Option<Vec<Vec<&'static str>>> {
        plain_commands(script).map(|cs| {
            cs.into_iter()
                .map(|c| {
                    c.into_iter()
                        .map(|w| &*Box::leak(w.into_boxed_str()))
                        .collect()
                })
                .collect()
        })
    }

    #[test]
    fn operators_split_commands() {
        assert_eq!(
            cmds("ls -l && cat a || echo b; wc -l | head\npwd;"),
            Some(vec![
                vec!["ls", "-l"],
                vec!["cat", "a"],
                vec!["echo", "b"],
                vec!["wc", "-l"],
                vec!["head"],
                vec!["pwd"],
            ])
        );
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(
            cmds(r#"grep -n 'a b|c' "x \"y\" \d" it\'s ''"#),
            Some(vec![vec!["grep", "-n", "a b|c", r#"x "y" \d"#, "it's", ""]])
        );
    }

    #[test]
    fn blank_lines_and_trailing_separators_are_fine() {
        assert_eq!(cmds("\nls\n\npwd;\n"), Some(vec![vec!["ls"], vec!["pwd"]]));
    }

    #[test]
    fn line_break_after_operator_continues_the_list() {
        assert_eq!(cmds("ls &&\n  pwd"), Some(vec![vec!["ls"], vec!["pwd"]]));
    }

    #[test]
    fn non_plain_constructs() {
        for script in [
            "ls > out",
            "cat < in",
            "echo $HOME",
            "echo \"$HOME\"",
            "echo `id`",
            "echo $(id)",
            "(ls)",
            "{ ls; }",
            "ls *.rs",
            "ls file?",
            "ls [ab]",
            "ls # comment",
            "! ls",
            "ls &",
            "ls |& cat",
            "ls && && pwd",
            "&& ls",
            "ls &&",
            "ls |",
            "; ls",
            "ls\n;",
            "echo 'open",
            "echo \"open",
            "ls \\\n -l",
            "case x in a) ;; esac",
            "",
            "   ",
        ] {
            assert_eq!(cmds(script), None, "{script:?} should not be plain");
        }
    }

    #[test]
    fn best_effort_split_of_non_plain_scripts() {
        let parsed = split_script("cd /tmp && rm -rf build > /dev/null");
        assert!(!parsed.plain);
        assert_eq!(
            parsed.commands,
            vec![
                vec!["cd".to_owned(), "/tmp".to_owned()],
                vec![
                    "rm".into(),
                    "-rf".into(),
                    "build".into(),
                    "/dev/null".into()
                ],
            ]
        );
    }
}
