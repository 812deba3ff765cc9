//! A one-line progress indicator on standard error, for work that can take a while
//! (`rejviz-peek --all-domains`): shown only on a terminal and only once the work has taken
//! longer than a delay, rewritten in place (`\r`, padded with spaces over the previous
//! line: no escape sequence, so a dumb terminal shows it too) and erased at the end, so
//! that nothing of it stays on the screen. Pipes, files and tests get none of it.
//!
//! A thread draws it, so that the line appears on time even while one step (an appliance
//! launch) takes long. Messages go through [`Progress::say`], which puts them above the
//! line instead of into it.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// After how long the indicator appears.
pub const DELAY: Duration = Duration::from_secs(1);

/// Where the indicator goes, and how wide it may be.
pub trait Sink: Send + 'static {
    fn put(&mut self, bytes: &[u8]);
    /// Columns the line may use, if known.
    fn width(&self) -> Option<usize>;
}

/// Standard error, a terminal.
struct Stderr;

impl Sink for Stderr {
    fn put(&mut self, bytes: &[u8]) {
        let mut e = std::io::stderr().lock();
        let _ = e.write_all(bytes).and_then(|()| e.flush()); // a closed stderr drops it
    }

    fn width(&self) -> Option<usize> {
        let mut ws = libc::winsize { ws_row: 0, ws_col: 0, ws_xpixel: 0, ws_ypixel: 0 };
        // SAFETY: TIOCGWINSZ fills the winsize it is given, which lives for the call.
        let rc = unsafe { libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &mut ws) };
        (rc == 0 && ws.ws_col > 0).then_some(usize::from(ws.ws_col))
    }
}

#[derive(Default)]
struct State {
    /// The line to show (already escaped by the caller).
    line: String,
    /// `line` changed since it was drawn.
    dirty: bool,
    /// Columns of the line now on the screen, at most (0: none).
    drawn: usize,
    /// The delay is over: lines are drawn.
    visible: bool,
    done: bool,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    sink: Mutex<Box<dyn Sink>>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self, bytes: &[u8]) {
        self.sink.lock().unwrap_or_else(|p| p.into_inner()).put(bytes);
    }

    /// Erases the line on the screen, if any.
    fn erase(&self, st: &mut State) {
        if st.drawn > 0 {
            self.write(format!("\r{}\r", " ".repeat(st.drawn)).as_bytes());
            st.drawn = 0;
        }
    }

    /// Draws `st.line` over the line on the screen, cut to the sink's width.
    fn draw(&self, st: &mut State) {
        let width = self.sink.lock().unwrap_or_else(|p| p.into_inner()).width();
        // One column short of the width: a full line would wrap on some terminals.
        let max = width.map_or(usize::MAX, |w| w.saturating_sub(1).max(1));
        let mut line = String::new();
        let mut len = 0;
        for c in st.line.chars() {
            if len + columns(c) > max {
                break;
            }
            line.push(c);
            len += columns(c);
        }
        let pad = " ".repeat(st.drawn.saturating_sub(len));
        self.write(format!("\r{line}{pad}").as_bytes());
        if !pad.is_empty() {
            self.write(format!("\r{line}").as_bytes());
        }
        st.drawn = len;
        st.dirty = false;
    }
}

/// The columns `c` takes at most: one for ASCII, two for anything else (East Asian wide
/// characters take two), so that a line is never cut too late nor erased too little.
fn columns(c: char) -> usize {
    if c.is_ascii() { 1 } else { 2 }
}

/// The indicator; erased (and its thread ended) when dropped.
pub struct Progress {
    inner: Option<(Arc<Shared>, JoinHandle<()>)>,
}

impl Progress {
    /// An indicator on standard error if it is a terminal, else one that shows nothing;
    /// nothing either with our debug lines on, which are many and would tear it.
    pub fn on_stderr() -> Progress {
        use std::io::IsTerminal as _;
        if std::io::stderr().is_terminal() && super::debugging().is_none() {
            Progress::new(Box::new(Stderr), DELAY)
        } else {
            Progress { inner: None }
        }
    }

    /// An indicator on `sink`, shown from `delay` on.
    pub fn new(sink: Box<dyn Sink>, delay: Duration) -> Progress {
        let shared =
            Arc::new(Shared { state: Mutex::new(State::default()), wake: Condvar::new(), sink: Mutex::new(sink) });
        let s = Arc::clone(&shared);
        let start = Instant::now();
        let thread = std::thread::spawn(move || {
            let mut st = s.state();
            loop {
                if st.done {
                    s.erase(&mut st);
                    return;
                }
                if !st.visible {
                    match (start + delay).checked_duration_since(Instant::now()) {
                        Some(left) if !left.is_zero() => {
                            st = s.wake.wait_timeout(st, left).map(|(g, _)| g).unwrap_or_else(|p| p.into_inner().0);
                            continue;
                        }
                        _ => st.visible = true,
                    }
                }
                if st.dirty && !st.line.is_empty() {
                    s.draw(&mut st);
                }
                st = s.wake.wait(st).unwrap_or_else(|p| p.into_inner());
            }
        });
        Progress { inner: Some((shared, thread)) }
    }

    /// Shows `line` (one line, escaped by the caller) instead of the previous one.
    pub fn set(&self, line: String) {
        if let Some((s, _)) = &self.inner {
            let mut st = s.state();
            st.line = line;
            st.dirty = true;
            s.wake.notify_all();
        }
    }

    /// Writes `message` as a line of its own (escaped, as `say!` does), above the indicator.
    pub fn say(&self, message: &str) {
        let text = format!("{}\n", super::escape_controls(message, false));
        match &self.inner {
            Some((s, _)) => {
                let mut st = s.state();
                s.erase(&mut st);
                s.write(text.as_bytes());
                if st.visible {
                    st.dirty = true;
                    s.wake.notify_all();
                }
            }
            None => {
                let _ = std::io::stderr().write_all(text.as_bytes());
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some((s, thread)) = self.inner.take() {
            s.state().done = true;
            s.wake.notify_all();
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink that records what is written, `width` columns wide.
    #[derive(Clone)]
    struct Record(Arc<Mutex<Vec<u8>>>, Option<usize>);

    impl Sink for Record {
        fn put(&mut self, bytes: &[u8]) {
            self.0.lock().unwrap().extend_from_slice(bytes);
        }
        fn width(&self) -> Option<usize> {
            self.1
        }
    }

    impl Record {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
        fn wait_for(&self, want: &str) {
            let start = Instant::now();
            while !self.text().contains(want) {
                assert!(start.elapsed() < Duration::from_secs(60), "never written: {want:?} in {:?}", self.text());
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }

    #[test]
    fn nothing_before_the_delay_and_messages_stay_plain() {
        let rec = Record(Arc::default(), Some(80));
        let p = Progress::new(Box::new(rec.clone()), Duration::from_secs(3600));
        p.set("step 1/2".into());
        p.say("a message\x1b[2J");
        p.set("step 2/2".into());
        drop(p);
        assert_eq!(rec.text(), "a message\\u{1b}[2J\n");
    }

    #[test]
    fn drawn_in_place_around_messages_and_erased() {
        let rec = Record(Arc::default(), Some(80));
        let p = Progress::new(Box::new(rec.clone()), Duration::ZERO);
        p.set("reading 1/2 (a-long-name)".into());
        rec.wait_for("\rreading 1/2 (a-long-name)");
        p.say("note");
        rec.wait_for("note\n\rreading 1/2 (a-long-name)");
        p.set("reading 2/2 (b)".into());
        rec.wait_for("\rreading 2/2 (b)");
        drop(p);
        let blank = " ".repeat("reading 1/2 (a-long-name)".len());
        assert_eq!(
            rec.text(),
            format!(
                "\rreading 1/2 (a-long-name)\r{blank}\rnote\n\rreading 1/2 (a-long-name)\
                 \rreading 2/2 (b)          \rreading 2/2 (b)\r{}\r",
                " ".repeat("reading 2/2 (b)".len())
            )
        );
    }

    #[test]
    fn cut_to_the_width() {
        let rec = Record(Arc::default(), Some(10));
        let p = Progress::new(Box::new(rec.clone()), Duration::ZERO);
        p.set("0123456789abcdef".into());
        rec.wait_for("\r012345678");
        drop(p);
        assert_eq!(rec.text(), format!("\r012345678\r{}\r", " ".repeat(9)));
        // Wide characters count two columns, for cutting and for erasing.
        let rec = Record(Arc::default(), Some(10));
        let p = Progress::new(Box::new(rec.clone()), Duration::ZERO);
        p.set("ab\u{4e2d}\u{6587}\u{540d}\u{5b57}".into());
        rec.wait_for("\rab\u{4e2d}\u{6587}\u{540d}");
        drop(p);
        assert_eq!(rec.text(), format!("\rab\u{4e2d}\u{6587}\u{540d}\r{}\r", " ".repeat(8)));
    }
}
