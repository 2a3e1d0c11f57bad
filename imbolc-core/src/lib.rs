//! Project state, dispatch, undo/redo, persistence and the session runtime
//! that connects them to the audio thread.
