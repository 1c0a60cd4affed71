//! Everything the terminal sees: output streams, colour and glyphs, the rendering of reports,
//! lists and checklists, the CI reports (JUnit, Markdown), and the dialoguer prompter. Only this
//! module writes to the terminal.

pub mod ci_report;
pub mod junit;
pub mod prompter;
pub mod render;
pub mod summary;
pub mod term;
