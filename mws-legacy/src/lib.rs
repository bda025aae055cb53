//! A typed client for Amazon's legacy Marketplace Web Service (MWS).
//!
//! **Status: not yet implemented.** This crate will hold Signature Version 2 signing, the
//! Orders 2013-09-01 and Feeds 2009-01-01 sections and their XML. Nothing here works yet.
