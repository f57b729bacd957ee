//! placeholder, written by the milter work
