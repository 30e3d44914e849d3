//! Answers as markdown: the renderer and the line-by-line stream.

pub(crate) mod render;
pub(crate) mod stream;

pub(crate) use render::render_markdown;
pub(crate) use stream::MarkdownStream;
