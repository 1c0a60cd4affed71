//! The built-in HaloPSA emulator.
