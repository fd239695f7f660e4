//! Every limit of the HTTP API at its edge (being written).
