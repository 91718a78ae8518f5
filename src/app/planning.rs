//! Use cases of coalition meetings: preparing one (suggestions, gaps, whom to invite), the
//! briefing, and moving linkages through their life.
