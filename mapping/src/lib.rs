//! Amazon order vocabulary and the configurable rules that map it to a host's own words.
