pub fn docs_router() -> axum::Router {
    axum::Router::new()
}
