//! The API's route table: every route of /api/v1 is declared here, once,
//! with its documentation — method, path, handler, operationId, tag,
//! summary, query parameters, request body and success response. The axum
//! router and the OpenAPI document (`openapi::document`) are both built from
//! it, so a route cannot be served without being documented or documented
//! without being served. The router inside is private: there is no other way
//! to add an /api/v1 route (a test checks the sources for one).

use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use serde_json::{Value, json};

use crate::AppState;

/// The content type of the .xlsx downloads.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An HTTP method of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verb {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Put => "put",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
        }
    }

    /// Whether requests of this method carry a body to describe.
    pub fn has_body(self) -> bool {
        matches!(self, Verb::Post | Verb::Put | Verb::Patch)
    }
}

/// What a successful call answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Success {
    /// A JSON body of the named schema, with the status.
    Json(u16, String),
    /// 204 No Content.
    NoContent,
    /// 200 with a file of this content type (a download).
    File(&'static str),
}

/// What a call sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Nothing to send (stated, so a forgotten body is caught).
    Empty,
    /// A JSON body of the named schema; `required` false when it may be left out.
    Json { schema: String, required: bool },
    /// multipart/form-data with one file part of this name.
    File(&'static str),
}

/// A query parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: &'static str,
    pub schema: Value,
    pub description: &'static str,
    pub required: bool,
}

/// The documentation of one operation.
#[derive(Debug, Clone)]
pub struct Doc {
    pub id: String,
    pub tag: String,
    pub summary: String,
    pub body: Option<Body>,
    pub success: Option<Success>,
    pub query: Vec<Param>,
    /// The text parts a multipart upload sends beside its file: (name, description, required).
    pub parts: &'static [(&'static str, &'static str, bool)],
    /// 202: the work goes on in the background, answered with this schema.
    pub accepted: Option<String>,
}

/// Starts the documentation of an operation: its operationId, tag and summary.
pub fn doc(id: impl Into<String>, tag: impl Into<String>, summary: impl Into<String>) -> Doc {
    Doc {
        id: id.into(),
        tag: tag.into(),
        summary: summary.into(),
        body: None,
        success: None,
        query: Vec::new(),
        parts: &[],
        accepted: None,
    }
}

/// Query parameter types.
pub fn int() -> Value {
    json!({"type": "integer", "format": "int64"})
}
pub fn text() -> Value {
    json!({"type": "string"})
}
pub fn date() -> Value {
    json!({"type": "string", "format": "date"})
}
pub fn flag() -> Value {
    json!({"type": "string", "enum": ["1", "true", "0", "false"]})
}
pub fn one_of(values: &[&str]) -> Value {
    json!({"type": "string", "enum": values})
}
pub fn period() -> Value {
    json!({"type": "string", "pattern": "^\\d{4}-\\d{2}$", "description": "YYYY-MM"})
}

impl Doc {
    /// The text parts of a multipart upload beside its file.
    pub fn parts(mut self, parts: &'static [(&'static str, &'static str, bool)]) -> Doc {
        self.parts = parts;
        self
    }
    /// 200 with a JSON body of `schema`.
    pub fn ok(mut self, schema: impl Into<String>) -> Doc {
        self.success = Some(Success::Json(200, schema.into()));
        self
    }
    /// 201 with the created record as `schema`.
    pub fn created(mut self, schema: impl Into<String>) -> Doc {
        self.success = Some(Success::Json(201, schema.into()));
        self
    }
    /// Also 202 with `schema`: the work goes on in the background.
    pub fn accepted(mut self, schema: impl Into<String>) -> Doc {
        self.accepted = Some(schema.into());
        self
    }
    /// 204 No Content.
    pub fn no_content(mut self) -> Doc {
        self.success = Some(Success::NoContent);
        self
    }
    /// 200 with a file download.
    pub fn file(mut self, content_type: &'static str) -> Doc {
        self.success = Some(Success::File(content_type));
        self
    }
    /// A required JSON body of `schema`.
    pub fn body(mut self, schema: impl Into<String>) -> Doc {
        self.body = Some(Body::Json { schema: schema.into(), required: true });
        self
    }
    /// A JSON body of `schema` that may be left out.
    pub fn optional_body(mut self, schema: impl Into<String>) -> Doc {
        self.body = Some(Body::Json { schema: schema.into(), required: false });
        self
    }
    /// No body, on purpose.
    pub fn no_body(mut self) -> Doc {
        self.body = Some(Body::Empty);
        self
    }
    /// A multipart upload with one file part named `part`.
    pub fn upload(mut self, part: &'static str) -> Doc {
        self.body = Some(Body::File(part));
        self
    }
    /// An optional query parameter.
    pub fn query(mut self, name: &'static str, schema: Value, description: &'static str) -> Doc {
        self.query.push(Param { name, schema, description, required: false });
        self
    }
    /// A required query parameter.
    pub fn required_query(mut self, name: &'static str, schema: Value, description: &'static str) -> Doc {
        self.query.push(Param { name, schema, description, required: true });
        self
    }
    /// `page` (from 1) and `per_page` (default 50, at most 200).
    pub fn paged(self) -> Doc {
        self.query("page", int(), "page number, from 1").query("per_page", int(), "rows per page (default 50)")
    }
}

/// One documented operation of the table.
#[derive(Debug, Clone)]
pub struct Operation {
    pub verb: Verb,
    pub path: String,
    pub doc: Doc,
}

impl Operation {
    /// The path parameters, from the path's `{name}` segments.
    pub fn path_params(&self) -> Vec<&str> {
        self.path
            .split('/')
            .filter(|s| s.starts_with('{') && s.ends_with('}'))
            .map(|s| s.trim_matches(|c| c == '{' || c == '}'))
            .collect()
    }
}

/// A request that carries a body must send it as `media` (its route's
/// documented body); anything else is 415 in the JSON error shape.
async fn require_media(
    axum::extract::State(media): axum::extract::State<&'static str>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{Method, StatusCode, header};
    use axum::response::IntoResponse;
    let has_body = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH)
        && axum::body::HttpBody::size_hint(req.body()).upper() != Some(0);
    if has_body {
        let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if !ct.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case(media) {
            return crate::error::ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                if media == "application/json" { "err.media_type" } else { "err.media_multipart" },
            )
            .into_response();
        }
    }
    next.run(req).await
}

/// The route table: the router and, beside each route, its documentation.
#[derive(Default)]
pub struct ApiRoutes {
    router: Router<AppState>,
    ops: Vec<Operation>,
}

impl ApiRoutes {
    pub fn new() -> ApiRoutes {
        ApiRoutes::default()
    }

    fn add(mut self, verb: Verb, path: &str, route: MethodRouter<AppState>, doc: Doc) -> ApiRoutes {
        // The body's media type is the documented one: JSON, or multipart for an upload.
        let media = match doc.body {
            Some(Body::File(_)) => "multipart/form-data",
            _ => "application/json",
        };
        let route = route.layer(axum::middleware::from_fn_with_state(media, require_media));
        // axum merges the methods of one path and panics on a method declared twice.
        self.router = self.router.route(path, route);
        self.ops.push(Operation { verb, path: path.to_string(), doc });
        self
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &str, h: H, doc: Doc) -> ApiRoutes {
        self.add(Verb::Get, path, get(h), doc)
    }
    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &str, h: H, doc: Doc) -> ApiRoutes {
        self.add(Verb::Post, path, post(h), doc)
    }
    pub fn put<H: Handler<T, AppState>, T: 'static>(self, path: &str, h: H, doc: Doc) -> ApiRoutes {
        self.add(Verb::Put, path, put(h), doc)
    }
    pub fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &str, h: H, doc: Doc) -> ApiRoutes {
        self.add(Verb::Patch, path, patch(h), doc)
    }
    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &str, h: H, doc: Doc) -> ApiRoutes {
        self.add(Verb::Delete, path, delete(h), doc)
    }
    /// A POST whose body may be up to `max_bytes` (uploads).
    pub fn post_upload<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        h: H,
        max_bytes: usize,
        doc: Doc,
    ) -> ApiRoutes {
        self.add(Verb::Post, path, post(h).layer(axum::extract::DefaultBodyLimit::max(max_bytes)), doc)
    }

    pub fn merge(mut self, other: ApiRoutes) -> ApiRoutes {
        self.router = self.router.merge(other.router);
        self.ops.extend(other.ops);
        self
    }

    pub fn operations(&self) -> &[Operation] {
        &self.ops
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
