//! The proxy runner shared by the commands that wrap a virt tool: scan the command line
//! ([`args`]), show what will run with secrets masked ([`display`]), run it and hand back its
//! exit status, forwarding signals ([`run`]).

pub mod args;
pub mod display;
pub mod run;
pub mod tools;

pub use args::{
    Arity, Item, OurOption, Role, ScanError, Syntax, ToolOption, ToolSpec, assemble, given, operands, scan, tool_flag,
    tool_options, tool_values, values,
};
pub use run::{Outcome, SignalGuard, exit, ignored_on_entry, keep_ignored_on_entry};
pub use tools::{VIRT_BUILDER, VIRT_CUSTOMIZE, VIRT_INSTALL};
