//! Tests of the emulator over real HTTP(S).
