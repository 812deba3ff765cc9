//! Shell variable files (`KEY=VALUE` lines sourced by a shell, as ifcfg files are) read as
//! data, never run: what `sh` would assign, for the subset such files use, and an error
//! for anything whose value would need a shell to evaluate.
//!
//! Understood: blank lines, `#` comments (whole-line and after a value), unquoted values
//! with `\` escapes, `'single'` and `"double"` quotes (with `\"`, `\\`, `\$`, `` \` `` and
//! line continuations inside double quotes), concatenations like `a'b'"c"`, and values
//! spanning lines inside quotes. Refused: `$` expansions, backquotes, a line that is not an
//! assignment, text after a value (which the shell would run as a command), unterminated quotes.

/// Why a file cannot be read as variables.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {what}")]
pub struct ShellVarsError {
    pub line: usize,
    pub what: String,
}

/// The assignments of `content`, in order (a later one of the same key wins in [`get`]).
pub fn parse(content: &str) -> Result<Vec<(String, String)>, ShellVarsError> {
    let mut p = Parser { chars: content.chars().collect(), pos: 0, line: 1 };
    let mut out = Vec::new();
    loop {
        p.skip_blanks_and_comments();
        if p.peek().is_none() {
            return Ok(out);
        }
        let start_line = p.line;
        let key = p.key();
        if key.is_empty() || p.peek() != Some('=') {
            let rest: String = p.rest_of_line();
            return Err(p.err_at(start_line, format!("not a KEY=VALUE assignment: '{}'", (key + &rest).trim())));
        }
        p.pos += 1; // '='
        let value = p.word()?;
        p.end_of_assignment()?;
        out.push((key, value));
    }
}

/// The value of the last assignment of `key`.
pub fn get<'a>(vars: &'a [(String, String)], key: &str) -> Option<&'a str> {
    vars.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    line: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn err(&self, what: impl Into<String>) -> ShellVarsError {
        ShellVarsError { line: self.line, what: what.into() }
    }

    fn err_at(&self, line: usize, what: impl Into<String>) -> ShellVarsError {
        ShellVarsError { line, what: what.into() }
    }

    fn skip_blanks_and_comments(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\n' | '\r' | ';' => {
                    self.bump();
                }
                '#' => {
                    self.rest_of_line();
                }
                _ => break,
            }
        }
        // `export KEY=...` assigns as well.
        if self.chars[self.pos..].starts_with(&['e', 'x', 'p', 'o', 'r', 't', ' ']) {
            self.pos += 7;
            while matches!(self.peek(), Some(' ' | '\t')) {
                self.bump();
            }
        }
    }

    fn rest_of_line(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek() {
            if c == '\n' {
                break;
            }
            s.push(c);
            self.bump();
        }
        s
    }

    fn key(&mut self) -> String {
        let mut k = String::new();
        while let Some(c) = self.peek() {
            let ok = c == '_' || c.is_ascii_alphabetic() || (!k.is_empty() && c.is_ascii_digit());
            if !ok {
                break;
            }
            k.push(c);
            self.pos += 1;
        }
        k
    }

    /// One shell word: unquoted, quoted and escaped parts up to unquoted whitespace.
    fn word(&mut self) -> Result<String, ShellVarsError> {
        let mut v = String::new();
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\n' | '\r' | ';' => break,
                '\'' => {
                    let start = self.line;
                    self.bump();
                    loop {
                        match self.bump() {
                            Some('\'') => break,
                            Some(c) => v.push(c),
                            None => return Err(self.err_at(start, "unterminated single quote")),
                        }
                    }
                }
                '"' => {
                    let start = self.line;
                    self.bump();
                    loop {
                        match self.bump() {
                            Some('"') => break,
                            Some('\\') => match self.bump() {
                                Some(e @ ('"' | '\\' | '$' | '`')) => v.push(e),
                                Some('\n') => {}
                                Some(other) => {
                                    v.push('\\');
                                    v.push(other);
                                }
                                None => return Err(self.err_at(start, "unterminated double quote")),
                            },
                            Some('$') => return Err(self.err("uses '$' expansion, which needs a shell to evaluate")),
                            Some('`') => return Err(self.err("uses a backquote command, which needs a shell to run")),
                            Some(c) => v.push(c),
                            None => return Err(self.err_at(start, "unterminated double quote")),
                        }
                    }
                }
                '\\' => {
                    self.bump();
                    match self.bump() {
                        Some('\n') | None => {}
                        Some(e) => v.push(e),
                    }
                }
                '$' => return Err(self.err("uses '$' expansion, which needs a shell to evaluate")),
                '`' => return Err(self.err("uses a backquote command, which needs a shell to run")),
                '|' | '&' | '<' | '>' | '(' | ')' => {
                    return Err(self.err(format!("'{c}' outside quotes is shell syntax, not a value")));
                }
                c => {
                    v.push(c);
                    self.bump();
                }
            }
        }
        Ok(v)
    }

    /// After a value: blanks, then a comment, `;` or the end of the line.
    fn end_of_assignment(&mut self) -> Result<(), ShellVarsError> {
        while matches!(self.peek(), Some(' ' | '\t' | '\r')) {
            self.bump();
        }
        match self.peek() {
            None | Some('\n' | '#' | ';') => Ok(()),
            Some(_) => {
                let line = self.line;
                let rest = self.rest_of_line();
                Err(self.err_at(line, format!("text after the value would run as a command: '{}'", rest.trim())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(s: &str) -> Vec<(String, String)> {
        parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn values_as_the_shell_assigns_them() {
        let cases: &[(&str, &str)] = &[
            ("A=plain", "plain"),
            ("A='single quoted # not a comment'", "single quoted # not a comment"),
            ("A=\"double \\\"quoted\\\" \\$x \\\\ \\n\"", "double \"quoted\" $x \\ \\n"),
            ("A=con'cat'\"en\"ated", "concatenated"),
            ("A=", ""),
            ("A=''", ""),
            ("A=esc\\ aped", "esc aped"),
            ("A=value # trailing comment", "value"),
            ("A=value\t#comment", "value"),
            ("A=a#b", "a#b"),
            ("export A=exported", "exported"),
            ("  A=indented  ", "indented"),
            ("A='multi\nline'", "multi\nline"),
            ("A=\"cont\\\ninued\"", "continued"),
            ("A=x; B=y", "x"),
        ];
        for (src, want) in cases {
            assert_eq!(get(&vars(src), "A"), Some(*want), "{src:?}");
        }
    }

    #[test]
    fn comments_blank_lines_and_last_wins() {
        let v = vars("# header\n\nA=1\n   # indented comment\nB=2\nA=3\n");
        assert_eq!(get(&v, "A"), Some("3"));
        assert_eq!(get(&v, "B"), Some("2"));
        assert_eq!(get(&v, "C"), None);
    }

    #[test]
    fn refuses_what_needs_a_shell() {
        let cases: &[(&str, &str)] = &[
            ("A=$HOME", "line 1: uses '$' expansion, which needs a shell to evaluate"),
            ("A=\"$(reboot)\"", "line 1: uses '$' expansion, which needs a shell to evaluate"),
            ("A=`id`", "line 1: uses a backquote command, which needs a shell to run"),
            ("\nA=b c", "line 2: text after the value would run as a command: 'c'"),
            ("A='open\nB=1", "line 1: unterminated single quote"),
            ("A=\"open", "line 1: unterminated double quote"),
            ("X=1\nnot an assignment", "line 2: not a KEY=VALUE assignment: 'not an assignment'"),
            ("1A=x", "line 1: not a KEY=VALUE assignment: '1A=x'"),
            ("A =x", "line 1: not a KEY=VALUE assignment: 'A =x'"),
            ("A=x|y", "line 1: '|' outside quotes is shell syntax, not a value"),
        ];
        for (src, want) in cases {
            assert_eq!(parse(src).unwrap_err().to_string(), *want, "{src:?}");
        }
    }
}
