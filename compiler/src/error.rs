//! Compile errors, rendered as LANGUAGE.md asks: `FILE:LINE:COL: error: MESSAGE`,
//! the source line, and a caret under the span.

use crate::ast::Span;
use std::fmt;

/// One problem in a program, at a byte span of its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// Byte offsets of the offending source text.
    pub start: usize,
    /// One past the last offending byte.
    pub end: usize,
    /// What is wrong, in words a programmer can act on.
    pub message: String,
}

impl CompileError {
    pub(crate) fn new(span: Span, message: impl Into<String>) -> CompileError {
        CompileError {
            start: span.start,
            end: span.end,
            message: message.into(),
        }
    }
}

/// Every error found in one compilation of one file. Its `Display` prints
/// each error in the contract's format, one after the other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileErrors {
    /// The file name shown in messages.
    pub file: String,
    /// The source text the spans point into.
    pub source: String,
    /// The errors, in source order.
    pub errors: Vec<CompileError>,
}

impl CompileErrors {
    /// Line and column (both 1-based, columns counted in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.source, offset.min(self.source.len()));
        let before = &self.source[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for CompileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, e) in self.errors.iter().enumerate() {
            if k > 0 {
                writeln!(f)?;
            }
            let (line, col) = self.line_col(e.start);
            writeln!(f, "{}:{line}:{col}: error: {}", self.file, e.message)?;
            let start = floor_char_boundary(&self.source, e.start.min(self.source.len()));
            let line_start = self.source[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = self.source[start..]
                .find('\n')
                .map_or(self.source.len(), |i| start + i);
            let text = self.source[line_start..line_end].trim_end_matches('\r');
            let gutter = line.to_string();
            writeln!(f, "{gutter} | {text}")?;
            let end = e.end.clamp(start, line_end);
            let end = floor_char_boundary(&self.source, end);
            let width = self.source[start..end].chars().count().max(1);
            let pad: String = self.source[line_start..start]
                .chars()
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(
                f,
                "{} | {pad}{}",
                " ".repeat(gutter.len()),
                "^".repeat(width)
            )?;
            if k + 1 < self.errors.len() {
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for CompileErrors {}
