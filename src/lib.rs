//! halo-connect: connect a HaloPSA instance to an integration, test it, and store it.

pub mod domain;
pub mod error;
pub mod halo;
pub mod sandbox;
pub mod store;
