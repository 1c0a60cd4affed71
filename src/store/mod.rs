//! Storage: the TOML config file of profiles and the secret stores. Depends on the domain only.
