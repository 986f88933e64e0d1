//! Where the serving side's input bits come from, computation by
//! computation: the garbler's service, and the garbler side of dual
//! execution, ask an [`InputSource`] online, once the peer's request names
//! the computation.

/// Where the garbler's input bits for each computation come from.
pub trait InputSource {
    /// The garbler's input bits (in wire order) for the next computation,
    /// whose public context (sent by the evaluator with its request, at
    /// most [`MAX_CONTEXT`](crate::MAX_CONTEXT) bytes, empty unless the
    /// evaluator gave one) is `context`: an auction id, say, to look the
    /// inputs up by. Or an error message for the evaluator and the log (no
    /// input in it): the session then ends, and the evaluator reads the
    /// message.
    fn next_inputs(&mut self, context: &[u8]) -> Result<Vec<bool>, String>;
}

/// The same input bits for every computation, whatever its context.
pub struct FixedInputs(pub Vec<bool>);

impl InputSource for FixedInputs {
    fn next_inputs(&mut self, _context: &[u8]) -> Result<Vec<bool>, String> {
        Ok(self.0.clone())
    }
}

/// A closure given each computation's context.
impl<F: FnMut(&[u8]) -> Result<Vec<bool>, String>> InputSource for F {
    fn next_inputs(&mut self, context: &[u8]) -> Result<Vec<bool>, String> {
        self(context)
    }
}
