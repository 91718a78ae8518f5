//! The use cases of Sangam, one function each: register a stakeholder, approve or merge a pending
//! registration, edit or erase a record, prepare a meeting, move a linkage, import a file.
//!
//! Both fronts call these — the JSON API (`http/`) and the pages (`http/web/`) — and so does the
//! command line. A front parses its input, calls one function and renders the answer; the use case
//! owns the rest: its transaction, the role and district checks (through [`Caller`]), what personal
//! data the caller may see ([`crate::domain::visibility`]) and version checks. So a rule exists once,
//! and a page can never allow what the API refuses.
//!
//! Functions take the [`Store`] (and the search index where they need it) as arguments rather than
//! living on a context object, so that a front passes exactly what a use case touches.
//!
//! [`Caller`]: crate::domain::access::Caller
//! [`Store`]: crate::store::Store

pub mod accounts;
pub mod error;
pub mod interchange;
pub mod planning;
pub mod registry;
pub mod tokens;

pub use error::{Error, Result};
