//! Spending: spend partners' offers (price, audience, capacity, off-peak windows, validity) and redemptions.
