//! Everything the terminal sees: output streams, colour and glyphs, the rendering of reports,
//! lists, checklists and the support bundle, and the dialoguer prompter. Only this module writes to the terminal.

pub mod bundle;
pub mod export;
pub mod handoff;
pub mod json;
pub mod prompter;
pub mod render;
pub mod term;
