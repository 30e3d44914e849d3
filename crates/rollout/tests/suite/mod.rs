mod fixture;
mod history;
mod listing;
mod lookup;
mod recorder;
mod support;
