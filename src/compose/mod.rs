//! Compositing: blend modes, colour strategies, feedback.

mod blend;
pub mod color;
mod feedback;

pub use blend::{BlendMode, blend_buffers};
pub use feedback::{Feedback, FeedbackParams, FeedbackTransform};
