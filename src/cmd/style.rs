//! Colour for the few lines where it helps: peek's check verdict (OK, or its problems) on
//! standard output, and our error lines on standard error.
//!
//! Whether a stream gets colour is `anstream`'s decision, the one clap makes for its own
//! help and errors: never when `NO_COLOR` is set and not empty (no-color.org), always with
//! `CLICOLOR_FORCE`, otherwise only on a terminal whose `TERM` is set and not `dumb`. The
//! virt tools' own `--colour`/`--color` (virt-builder, virt-customize) forces it for our
//! lines too ([`force`]), as it does for theirs. Styles come from `anstyle`. Both crates are
//! in the tree already through clap.

use anstream::{AutoStream, ColorChoice};
use anstyle::{AnsiColor, Style};

/// Colour on every stream, whatever the environment says (an explicit `--colour`).
pub fn force() {
    ColorChoice::Always.write_global();
}

/// Whether standard output gets colour.
pub fn stdout() -> Paint {
    Paint { on: AutoStream::choice(&std::io::stdout()) != ColorChoice::Never }
}

/// Whether standard error gets colour.
pub fn stderr() -> Paint {
    Paint { on: AutoStream::choice(&std::io::stderr()) != ColorChoice::Never }
}

/// How text meant for one stream is painted: as it is, or in colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Paint {
    pub on: bool,
}

const GOOD: Style = AnsiColor::Green.on_default().bold();
const BAD: Style = AnsiColor::Red.on_default().bold();

impl Paint {
    /// No colour (pipes, files, tests of the text).
    pub const PLAIN: Paint = Paint { on: false };

    /// A verdict that passed (peek's `OK`).
    pub fn good(self, text: &str) -> String {
        self.styled(GOOD, text)
    }

    /// A problem or an error.
    pub fn bad(self, text: &str) -> String {
        self.styled(BAD, text)
    }

    fn styled(self, style: Style, text: &str) -> String {
        if self.on { format!("{style}{text}{style:#}") } else { text.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_is_the_text_and_colour_wraps_it() {
        assert_eq!(Paint::PLAIN.bad("x"), "x");
        assert_eq!(Paint { on: true }.good("OK"), "\x1b[1m\x1b[32mOK\x1b[0m");
        assert_eq!(Paint { on: true }.bad("2 problem(s)"), "\x1b[1m\x1b[31m2 problem(s)\x1b[0m");
    }
}
