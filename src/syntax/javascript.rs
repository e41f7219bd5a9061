//! JavaScript and TypeScript modules (CommonJS, ES modules, TypeScript, JSX), parsed with oxc's
//! parser and reduced to what the Express model needs, as owned values with byte spans into the
//! file: the module's bindings (`const x = ...`, `import`, destructured `require`), its exports
//! (`export`, `module.exports`, `exports.x`), the `session(...)` calls of express-session, `app.set
//! ('trust proxy', ...)`, the objects given an `'error'` listener, and whether it loads dotenv.
//!
//! Hostile input: the parser and the walk recurse, so a module runs on a thread with a large
//! stack, after a scan that refuses a module nested deeper than `MAX_NESTING` brackets; values
//! are converted to `depth` `MAX_DEPTH` only; a syntax error is a finding, never a panic.

use oxc_allocator::Allocator;
use oxc_ast::ast::{self, Argument, Expression, ObjectPropertyKind, PropertyKey};
use oxc_ast_visit::{walk, Visit};
use oxc_parser::{ParseOptions, Parser};
use oxc_span::{GetSpan, SourceType, Span};
use std::ops::Range;

/// Modules larger than this are not read (a bundle, generated code): no app keeps its session
/// set-up in one.
pub const MAX_MODULE_BYTES: usize = 1024 * 1024;
/// Bracket nesting past which a module is not parsed (the parser recurses on it).
pub const MAX_NESTING: usize = 512;
/// How deep a value is converted; deeper parts are unknown.
const MAX_DEPTH: usize = 24;
/// Stack of the parsing thread: the parser and the visitor recurse once per nesting level.
const PARSE_STACK: usize = 256 * 1024 * 1024;
/// At most this many entries of each kind are kept per module.
const MAX_ITEMS: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogicalOp {
    Or,
    Nullish,
    And,
}

/// A value as written in the source, reduced to what can be evaluated without running it.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A string literal; `span` covers the quotes.
    Str {
        value: String,
        span: Range<usize>,
    },
    Template {
        quasis: Vec<String>,
        exprs: Vec<Expr>,
        span: Range<usize>,
    },
    Num {
        value: f64,
        span: Range<usize>,
    },
    Bool {
        value: bool,
        span: Range<usize>,
    },
    Null {
        span: Range<usize>,
    },
    Ident {
        name: String,
        span: Range<usize>,
    },
    Member {
        object: Box<Expr>,
        property: String,
        span: Range<usize>,
    },
    /// `process.env.NAME` or `process.env['NAME']`.
    Env {
        var: String,
        span: Range<usize>,
    },
    Logical {
        op: LogicalOp,
        left: Box<Expr>,
        right: Box<Expr>,
        span: Range<usize>,
    },
    /// `a + b`.
    Add {
        left: Box<Expr>,
        right: Box<Expr>,
        span: Range<usize>,
    },
    Object {
        props: Vec<Prop>,
        span: Range<usize>,
    },
    Call {
        callee: Box<Expr>,
        args: Vec<Expr>,
        span: Range<usize>,
    },
    New {
        callee: Box<Expr>,
        args: Vec<Expr>,
        span: Range<usize>,
    },
    /// `require('x')` or `import('x')`: the module `x` as a value.
    Require {
        source: String,
        span: Range<usize>,
    },
    /// A function (arrow, expression or declaration) with what its last top-level `return`
    /// (or an arrow's expression body) gives: a factory such as `() => createClient(...)`.
    Function {
        returns: Option<Box<Expr>>,
        span: Range<usize>,
    },
    /// Anything else: an array, a computed value.
    Unknown {
        span: Range<usize>,
    },
}

/// One property of an object literal.
#[derive(Debug, Clone, PartialEq)]
pub struct Prop {
    /// None for a spread or a computed key.
    pub key: Option<String>,
    pub key_span: Range<usize>,
    pub value: Expr,
    /// The whole property (`key: value`).
    pub span: Range<usize>,
}

impl Expr {
    pub fn span(&self) -> Range<usize> {
        match self {
            Expr::Str { span, .. }
            | Expr::Template { span, .. }
            | Expr::Num { span, .. }
            | Expr::Bool { span, .. }
            | Expr::Null { span }
            | Expr::Ident { span, .. }
            | Expr::Member { span, .. }
            | Expr::Env { span, .. }
            | Expr::Logical { span, .. }
            | Expr::Add { span, .. }
            | Expr::Object { span, .. }
            | Expr::Call { span, .. }
            | Expr::New { span, .. }
            | Expr::Require { span, .. }
            | Expr::Function { span, .. }
            | Expr::Unknown { span } => span.clone(),
        }
    }

    /// The last property named `key` of an object literal (the one JavaScript keeps).
    pub fn prop(&self, key: &str) -> Option<&Prop> {
        match self {
            Expr::Object { props, .. } => {
                props.iter().rev().find(|p| p.key.as_deref() == Some(key))
            }
            _ => None,
        }
    }

    /// Whether an object literal has a spread (`...defaults`) or a computed key: properties
    /// not written may then be set anyway.
    pub fn has_unknown_props(&self) -> bool {
        match self {
            Expr::Object { props, .. } => props.iter().any(|p| p.key.is_none()),
            _ => true,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub name: String,
    pub value: Expr,
    /// Where the binding is made: the latest one before a use wins.
    pub at: usize,
}

/// What a module exports, by name (`default` for `export default`).
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub name: String,
    pub value: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionCall {
    pub args: Vec<Expr>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrustProxy {
    pub value: Expr,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub span: Range<usize>,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct JsModule {
    pub error: Option<SyntaxError>,
    pub bindings: Vec<Binding>,
    pub exports: Vec<Export>,
    /// `module.exports = value`.
    pub module_exports: Option<Expr>,
    /// `export * from 'x'`.
    pub star_exports: Vec<String>,
    pub session_calls: Vec<SessionCall>,
    pub trust_proxy: Vec<TrustProxy>,
    /// The objects given an `'error'` listener (`client`, `this.client`, `redis.client`), as
    /// written.
    pub error_listeners: Vec<String>,
    /// It requires or imports `dotenv` or `dotenv/config`.
    pub loads_dotenv: bool,
    /// The module specifiers it requires, imports or re-exports.
    pub sources: Vec<String>,
    /// Properties written after the object was made (`sess.cookie.secure = true`), as the
    /// name of the object and the property path: what an object literal says of them is not
    /// what runs.
    pub member_writes: Vec<(String, Vec<String>)>,
}

impl JsModule {
    /// The value bound to `name` that a use at `at` sees: the latest binding before it, else the
    /// first one after it (a function declared below its use, a `let` assigned later).
    pub fn binding(&self, name: &str, at: usize) -> Option<&Expr> {
        let mut before: Option<&Binding> = None;
        let mut after: Option<&Binding> = None;
        for b in self.bindings.iter().filter(|b| b.name == name) {
            if b.at <= at {
                if before.is_none_or(|x| b.at >= x.at) {
                    before = Some(b);
                }
            } else if after.is_none_or(|x| b.at < x.at) {
                after = Some(b);
            }
        }
        before.or(after).map(|b| &b.value)
    }

    pub fn export(&self, name: &str) -> Option<&Expr> {
        self.exports
            .iter()
            .rev()
            .find(|e| e.name == name)
            .map(|e| &e.value)
    }
}

/// The source type of a module by its file name: `.ts`/`.mts`/`.cts`/`.tsx` are TypeScript,
/// `.jsx`/`.tsx` have JSX; `.js` is read as a module or a script, whichever its syntax says.
fn source_type(path: &str) -> SourceType {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".tsx") {
        SourceType::tsx()
    } else if lower.ends_with(".ts") || lower.ends_with(".mts") || lower.ends_with(".cts") {
        let t = SourceType::ts();
        if lower.ends_with(".cts") {
            t.with_unambiguous(true)
        } else {
            t.with_module(true)
        }
    } else if lower.ends_with(".mjs") {
        SourceType::mjs()
    } else {
        SourceType::unambiguous().with_jsx(true)
    }
}

/// The deepest bracket nesting of the text (strings and comments not told apart: a guard, not a
/// reader), stopping once past `limit`.
fn nesting_past(bytes: &[u8], limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Parse one module. `path` gives its kind (by extension).
pub fn parse(bytes: &[u8], path: &str) -> JsModule {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.valid_up_to();
            return JsModule {
                error: Some(SyntaxError {
                    span: at..(at + 1).min(bytes.len()),
                    message: "the module is not valid UTF-8".into(),
                }),
                ..JsModule::default()
            };
        }
    };
    if let Some(at) = nesting_past(bytes, MAX_NESTING) {
        return JsModule {
            error: Some(SyntaxError {
                span: at..at + 1,
                message: format!("brackets nested deeper than {MAX_NESTING} levels: not read"),
            }),
            ..JsModule::default()
        };
    }
    let source_type = source_type(path);
    let text = text.to_string();
    let run = move || parse_on_this_thread(&text, source_type);
    match std::thread::Builder::new()
        .name("redline-js".into())
        .stack_size(PARSE_STACK)
        .spawn(run)
        .map(|h| h.join())
    {
        Ok(Ok(module)) => module,
        // No thread (resources), or the parser panicked: the module is not read.
        _ => JsModule {
            error: Some(SyntaxError {
                span: 0..0,
                message: "the module could not be parsed".into(),
            }),
            ..JsModule::default()
        },
    }
}

fn parse_on_this_thread(text: &str, source_type: SourceType) -> JsModule {
    let allocator = Allocator::default();
    let options = ParseOptions {
        // A CommonJS module may `return` at its top level (Node wraps it in a function).
        allow_return_outside_function: true,
        ..ParseOptions::default()
    };
    let parsed = Parser::new(&allocator, text, source_type)
        .with_options(options)
        .parse();
    let mut collector = Collector {
        module: JsModule::default(),
        session_names: Vec::new(),
    };
    if let Some(first) = parsed.errors.first() {
        let span = first
            .labels
            .as_ref()
            .and_then(|l| l.first())
            .map(|l| l.offset()..l.offset() + l.len())
            .unwrap_or(0..0);
        let end = span.end.min(text.len());
        collector.module.error = Some(SyntaxError {
            span: span.start.min(end)..end,
            message: first.message.to_string(),
        });
    }
    if !parsed.panicked {
        collector.visit_program(&parsed.program);
    }
    collector.module
}

fn range(span: Span) -> Range<usize> {
    span.start as usize..span.end as usize
}

/// `process.env.NAME` / `process.env['NAME']`.
fn env_var(expr: &Expression) -> Option<String> {
    let member = expr.get_member_expr()?;
    let object = member.object().get_inner_expression();
    let inner = object.get_member_expr()?;
    let is_process = matches!(inner.object().get_inner_expression(), Expression::Identifier(i) if i.name == "process");
    if !is_process || inner.static_property_name()? != "env" {
        return None;
    }
    member.static_property_name().map(|n| n.to_string())
}

fn string_argument(args: &[Argument]) -> Option<String> {
    match args.first()?.as_expression()?.get_inner_expression() {
        Expression::StringLiteral(s) => Some(s.value.to_string()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => t
            .quasis
            .first()
            .and_then(|q| q.value.cooked.map(|c| c.to_string())),
        _ => None,
    }
}

fn key_name(key: &PropertyKey) -> Option<String> {
    match key {
        PropertyKey::StaticIdentifier(i) => Some(i.name.to_string()),
        PropertyKey::StringLiteral(s) => Some(s.value.to_string()),
        PropertyKey::NumericLiteral(n) => Some(n.value.to_string()),
        _ => None,
    }
}

/// Convert an expression, `depth` levels at most.
pub fn convert(expr: &Expression, depth: usize) -> Expr {
    let span = range(expr.span());
    if depth > MAX_DEPTH {
        return Expr::Unknown { span };
    }
    let next = depth + 1;
    if let Some(var) = env_var(expr) {
        return Expr::Env { var, span };
    }
    match expr {
        Expression::StringLiteral(s) => Expr::Str {
            value: s.value.to_string(),
            span,
        },
        Expression::TemplateLiteral(t) => Expr::Template {
            quasis: t
                .quasis
                .iter()
                .map(|q| {
                    q.value
                        .cooked
                        .map_or_else(|| q.value.raw.to_string(), |c| c.to_string())
                })
                .collect(),
            exprs: t.expressions.iter().map(|e| convert(e, next)).collect(),
            span,
        },
        Expression::NumericLiteral(n) => Expr::Num {
            value: n.value,
            span,
        },
        Expression::BooleanLiteral(b) => Expr::Bool {
            value: b.value,
            span,
        },
        Expression::NullLiteral(_) => Expr::Null { span },
        Expression::Identifier(i) => Expr::Ident {
            name: i.name.to_string(),
            span,
        },
        Expression::ParenthesizedExpression(p) => convert(&p.expression, next),
        Expression::TSAsExpression(e) => convert(&e.expression, next),
        Expression::TSSatisfiesExpression(e) => convert(&e.expression, next),
        Expression::TSNonNullExpression(e) => convert(&e.expression, next),
        Expression::TSTypeAssertion(e) => convert(&e.expression, next),
        Expression::AwaitExpression(e) => convert(&e.argument, next),
        Expression::ChainExpression(_) => Expr::Unknown { span },
        Expression::StaticMemberExpression(m) => Expr::Member {
            object: Box::new(convert(&m.object, next)),
            property: m.property.name.to_string(),
            span,
        },
        Expression::ComputedMemberExpression(m) => match m.expression.get_inner_expression() {
            Expression::StringLiteral(s) => Expr::Member {
                object: Box::new(convert(&m.object, next)),
                property: s.value.to_string(),
                span,
            },
            _ => Expr::Unknown { span },
        },
        Expression::LogicalExpression(l) => Expr::Logical {
            op: match l.operator {
                ast::LogicalOperator::Or => LogicalOp::Or,
                ast::LogicalOperator::Coalesce => LogicalOp::Nullish,
                ast::LogicalOperator::And => LogicalOp::And,
            },
            left: Box::new(convert(&l.left, next)),
            right: Box::new(convert(&l.right, next)),
            span,
        },
        Expression::BinaryExpression(b) if b.operator == ast::BinaryOperator::Addition => {
            Expr::Add {
                left: Box::new(convert(&b.left, next)),
                right: Box::new(convert(&b.right, next)),
                span,
            }
        }
        Expression::ObjectExpression(o) => Expr::Object {
            props: o
                .properties
                .iter()
                .take(MAX_ITEMS)
                .map(|p| match p {
                    ObjectPropertyKind::ObjectProperty(p) => Prop {
                        key: if p.computed && !matches!(p.key, PropertyKey::StringLiteral(_)) {
                            None
                        } else {
                            key_name(&p.key)
                        },
                        key_span: range(p.key.span()),
                        value: if p.method {
                            Expr::Unknown {
                                span: range(p.value.span()),
                            }
                        } else {
                            convert(&p.value, next)
                        },
                        span: range(p.span),
                    },
                    ObjectPropertyKind::SpreadProperty(s) => Prop {
                        key: None,
                        key_span: range(s.span),
                        value: convert(&s.argument, next),
                        span: range(s.span),
                    },
                })
                .collect(),
            span,
        },
        Expression::CallExpression(c) => {
            if c.callee.get_inner_expression().is_specific_id("require") {
                if let Some(source) = string_argument(&c.arguments) {
                    return Expr::Require { source, span };
                }
            }
            Expr::Call {
                callee: Box::new(convert(&c.callee, next)),
                args: arguments(&c.arguments, next),
                span,
            }
        }
        Expression::ImportExpression(i) => match i.source.get_inner_expression() {
            Expression::StringLiteral(s) => Expr::Require {
                source: s.value.to_string(),
                span,
            },
            _ => Expr::Unknown { span },
        },
        Expression::ArrowFunctionExpression(f) => Expr::Function {
            returns: if f.expression {
                f.body.statements.first().and_then(|s| match s {
                    ast::Statement::ExpressionStatement(e) => {
                        Some(Box::new(convert(&e.expression, next)))
                    }
                    _ => None,
                })
            } else {
                last_return(&f.body, next)
            },
            span,
        },
        Expression::FunctionExpression(f) => Expr::Function {
            returns: f.body.as_ref().and_then(|b| last_return(b, next)),
            span,
        },
        Expression::NewExpression(n) => Expr::New {
            callee: Box::new(convert(&n.callee, next)),
            args: arguments(&n.arguments, next),
            span,
        },
        _ => Expr::Unknown { span },
    }
}

/// What the last `return` among a function body's top-level statements gives.
fn last_return(body: &ast::FunctionBody, depth: usize) -> Option<Box<Expr>> {
    body.statements.iter().rev().find_map(|s| match s {
        ast::Statement::ReturnStatement(r) => {
            r.argument.as_ref().map(|a| Box::new(convert(a, depth)))
        }
        _ => None,
    })
}

fn arguments(args: &[Argument], depth: usize) -> Vec<Expr> {
    args.iter()
        .take(16)
        .map(|a| match a.as_expression() {
            Some(e) => convert(e, depth),
            None => Expr::Unknown {
                span: range(a.span()),
            },
        })
        .collect()
}

/// The name at the root of a member chain and the properties after it: `sess.cookie` is
/// (`sess`, [`cookie`]).
fn member_path(expr: &Expression) -> Option<(String, Vec<String>)> {
    let mut path = Vec::new();
    let mut current = expr.get_inner_expression();
    for _ in 0..16 {
        match current {
            Expression::Identifier(i) => {
                path.reverse();
                return Some((i.name.to_string(), path));
            }
            Expression::StaticMemberExpression(m) => {
                path.push(m.property.name.to_string());
                current = m.object.get_inner_expression();
            }
            Expression::ComputedMemberExpression(m) => match m.expression.get_inner_expression() {
                Expression::StringLiteral(s) => {
                    path.push(s.value.to_string());
                    current = m.object.get_inner_expression();
                }
                _ => return None,
            },
            _ => return None,
        }
    }
    None
}

/// The text of a listener's object: `client`, `this.client`, `redis.client`.
pub fn object_key(expr: &Expression) -> Option<String> {
    match expr.get_inner_expression() {
        Expression::Identifier(i) => Some(i.name.to_string()),
        Expression::ThisExpression(_) => Some("this".into()),
        Expression::StaticMemberExpression(m) => {
            Some(format!("{}.{}", object_key(&m.object)?, m.property.name))
        }
        _ => None,
    }
}

struct Collector {
    module: JsModule,
    /// Local names bound to express-session's export.
    session_names: Vec<String>,
}

impl Collector {
    fn bind(&mut self, name: &str, value: Expr, at: usize) {
        if self.module.bindings.len() >= MAX_ITEMS {
            return;
        }
        if is_session_module(&value) && !self.session_names.iter().any(|n| n == name) {
            self.session_names.push(name.to_string());
        }
        self.module.bindings.push(Binding {
            name: name.to_string(),
            value,
            at,
        });
    }

    fn source(&mut self, source: &str) {
        if source == "dotenv" || source == "dotenv/config" {
            self.module.loads_dotenv = true;
        }
        if self.module.sources.len() < MAX_ITEMS && !self.module.sources.iter().any(|s| s == source)
        {
            self.module.sources.push(source.to_string());
        }
    }

    fn export(&mut self, name: &str, value: Expr) {
        if self.module.exports.len() < MAX_ITEMS {
            self.module.exports.push(Export {
                name: name.to_string(),
                value,
            });
        }
    }

    /// Bind the names of a pattern (`{ RedisStore, default: X }`) to the parts of `value`.
    fn bind_pattern(&mut self, pattern: &ast::BindingPattern, value: Expr, at: usize) {
        match &pattern.kind {
            ast::BindingPatternKind::BindingIdentifier(id) => self.bind(&id.name, value, at),
            ast::BindingPatternKind::ObjectPattern(o) => {
                for p in &o.properties {
                    let Some(key) = key_name(&p.key) else {
                        continue;
                    };
                    if let Some(name) = p.value.get_identifier_name() {
                        let span = range(p.span);
                        self.bind(
                            &name,
                            Expr::Member {
                                object: Box::new(value.clone()),
                                property: key,
                                span,
                            },
                            at,
                        );
                    }
                }
            }
            ast::BindingPatternKind::AssignmentPattern(a) => self.bind_pattern(&a.left, value, at),
            ast::BindingPatternKind::ArrayPattern(_) => {}
        }
    }
}

/// `require('express-session')`, or its default export.
fn is_session_module(value: &Expr) -> bool {
    match value {
        Expr::Require { source, .. } => source == "express-session",
        Expr::Member {
            object, property, ..
        } if property == "default" => is_session_module(object),
        _ => false,
    }
}

/// `module.exports` or `exports`: the CommonJS export object.
fn is_exports_object(expr: &Expression) -> bool {
    match expr.get_inner_expression() {
        Expression::Identifier(i) => i.name == "exports",
        Expression::StaticMemberExpression(m) => {
            m.property.name == "exports" && m.object.get_inner_expression().is_specific_id("module")
        }
        _ => false,
    }
}

impl<'a> Visit<'a> for Collector {
    fn visit_statement(&mut self, it: &ast::Statement<'a>) {
        // `function getClient() { ... return client }` binds its name to what it returns.
        if let ast::Statement::FunctionDeclaration(f) = it {
            if let Some(id) = &f.id {
                let value = Expr::Function {
                    returns: f.body.as_ref().and_then(|b| last_return(b, 0)),
                    span: range(f.span),
                };
                self.bind(&id.name, value, f.span.start as usize);
            }
        }
        walk::walk_statement(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &ast::VariableDeclarator<'a>) {
        if let Some(init) = &it.init {
            let value = convert(init, 0);
            self.bind_pattern(&it.id, value, it.span.start as usize);
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &ast::AssignmentExpression<'a>) {
        if it.operator == ast::AssignmentOperator::Assign {
            let at = it.span.start as usize;
            match &it.left {
                ast::AssignmentTarget::AssignmentTargetIdentifier(id) => {
                    let value = convert(&it.right, 0);
                    self.bind(&id.name, value, at);
                }
                ast::AssignmentTarget::StaticMemberExpression(m) => {
                    if let Some((root, mut path)) = member_path(&m.object) {
                        path.push(m.property.name.to_string());
                        if self.module.member_writes.len() < MAX_ITEMS {
                            self.module.member_writes.push((root, path));
                        }
                    }
                    if m.property.name == "exports"
                        && m.object.get_inner_expression().is_specific_id("module")
                    {
                        self.module.module_exports = Some(convert(&it.right, 0));
                    } else if is_exports_object(&m.object) {
                        let value = convert(&it.right, 0);
                        self.export(m.property.name.as_ref(), value);
                    }
                }
                ast::AssignmentTarget::ComputedMemberExpression(m) => {
                    if let (Some((root, mut path)), Expression::StringLiteral(key)) =
                        (member_path(&m.object), m.expression.get_inner_expression())
                    {
                        path.push(key.value.to_string());
                        if self.module.member_writes.len() < MAX_ITEMS {
                            self.module.member_writes.push((root, path));
                        }
                    }
                }
                _ => {}
            }
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_import_declaration(&mut self, it: &ast::ImportDeclaration<'a>) {
        let source = it.source.value.to_string();
        self.source(&source);
        let span = range(it.span);
        let module = Expr::Require {
            source: source.clone(),
            span: span.clone(),
        };
        for s in it.specifiers.iter().flatten() {
            let (local, value) = match s {
                ast::ImportDeclarationSpecifier::ImportSpecifier(s) => (
                    s.local.name.to_string(),
                    Expr::Member {
                        object: Box::new(module.clone()),
                        property: s.imported.name().to_string(),
                        span: span.clone(),
                    },
                ),
                ast::ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => (
                    s.local.name.to_string(),
                    Expr::Member {
                        object: Box::new(module.clone()),
                        property: "default".into(),
                        span: span.clone(),
                    },
                ),
                ast::ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                    (s.local.name.to_string(), module.clone())
                }
            };
            self.bind(&local, value, 0);
        }
    }

    fn visit_ts_import_equals_declaration(&mut self, it: &ast::TSImportEqualsDeclaration<'a>) {
        // `import x = require('y')`.
        if let ast::TSModuleReference::ExternalModuleReference(r) = &it.module_reference {
            let source = r.expression.value.to_string();
            self.source(&source);
            self.bind(
                &it.id.name,
                Expr::Require {
                    source,
                    span: range(it.span),
                },
                0,
            );
        }
    }

    fn visit_export_named_declaration(&mut self, it: &ast::ExportNamedDeclaration<'a>) {
        let from = it.source.as_ref().map(|s| s.value.to_string());
        if let Some(source) = &from {
            self.source(source);
        }
        for s in &it.specifiers {
            let local = s.local.name().to_string();
            let value = match &from {
                Some(source) => Expr::Member {
                    object: Box::new(Expr::Require {
                        source: source.clone(),
                        span: range(it.span),
                    }),
                    property: local,
                    span: range(s.span),
                },
                None => Expr::Ident {
                    name: local,
                    span: range(s.span),
                },
            };
            self.export(&s.exported.name(), value);
        }
        if let Some(declaration) = &it.declaration {
            let names: Vec<(String, Range<usize>)> = match declaration {
                ast::Declaration::VariableDeclaration(v) => v
                    .declarations
                    .iter()
                    .flat_map(|d| d.id.get_binding_identifiers())
                    .map(|id| (id.name.to_string(), range(id.span)))
                    .collect(),
                ast::Declaration::FunctionDeclaration(f) => {
                    f.id.iter()
                        .map(|id| (id.name.to_string(), range(id.span)))
                        .collect()
                }
                ast::Declaration::ClassDeclaration(c) => {
                    c.id.iter()
                        .map(|id| (id.name.to_string(), range(id.span)))
                        .collect()
                }
                _ => Vec::new(),
            };
            for (name, span) in names {
                self.export(&name.clone(), Expr::Ident { name, span });
            }
        }
        walk::walk_export_named_declaration(self, it);
    }

    fn visit_export_default_declaration(&mut self, it: &ast::ExportDefaultDeclaration<'a>) {
        let value = match &it.declaration {
            ast::ExportDefaultDeclarationKind::FunctionDeclaration(f) => Expr::Unknown {
                span: range(f.span),
            },
            ast::ExportDefaultDeclarationKind::ClassDeclaration(c) => Expr::Unknown {
                span: range(c.span),
            },
            ast::ExportDefaultDeclarationKind::TSInterfaceDeclaration(i) => Expr::Unknown {
                span: range(i.span),
            },
            other => match other.as_expression() {
                Some(e) => convert(e, 0),
                None => Expr::Unknown {
                    span: range(it.span),
                },
            },
        };
        self.export("default", value);
        walk::walk_export_default_declaration(self, it);
    }

    fn visit_export_all_declaration(&mut self, it: &ast::ExportAllDeclaration<'a>) {
        let source = it.source.value.to_string();
        self.source(&source);
        match &it.exported {
            Some(name) => {
                let value = Expr::Require {
                    source,
                    span: range(it.span),
                };
                self.export(&name.name(), value);
            }
            None => {
                if self.module.star_exports.len() < MAX_ITEMS {
                    self.module.star_exports.push(source)
                }
            }
        }
    }

    fn visit_call_expression(&mut self, it: &ast::CallExpression<'a>) {
        let callee = it.callee.get_inner_expression();
        if callee.is_specific_id("require") {
            if let Some(source) = string_argument(&it.arguments) {
                self.source(&source);
            }
        }
        let is_session = match callee {
            Expression::Identifier(i) => self.session_names.iter().any(|n| i.name == n.as_str()),
            Expression::CallExpression(c) => {
                c.callee.get_inner_expression().is_specific_id("require")
                    && string_argument(&c.arguments).as_deref() == Some("express-session")
            }
            _ => false,
        };
        if is_session && self.module.session_calls.len() < MAX_ITEMS {
            self.module.session_calls.push(SessionCall {
                args: arguments(&it.arguments, 0),
                span: range(it.span),
            });
        }
        if let Some(member) = callee.get_member_expr() {
            let method = member.static_property_name();
            let first = string_argument(&it.arguments);
            match (method, first.as_deref()) {
                (Some("set"), Some("trust proxy")) if self.module.trust_proxy.len() < MAX_ITEMS => {
                    let value = it.arguments.get(1).and_then(|a| a.as_expression()).map_or(
                        Expr::Unknown {
                            span: range(it.span),
                        },
                        |e| convert(e, 0),
                    );
                    self.module.trust_proxy.push(TrustProxy {
                        value,
                        span: range(it.span),
                    });
                }
                (Some("enable"), Some("trust proxy"))
                    if self.module.trust_proxy.len() < MAX_ITEMS =>
                {
                    self.module.trust_proxy.push(TrustProxy {
                        value: Expr::Bool {
                            value: true,
                            span: range(it.span),
                        },
                        span: range(it.span),
                    });
                }
                (Some("on" | "once" | "addListener" | "prependListener"), Some("error")) => {
                    if let Some(key) = object_key(member.object()) {
                        if self.module.error_listeners.len() < MAX_ITEMS
                            && !self.module.error_listeners.contains(&key)
                        {
                            self.module.error_listeners.push(key);
                        }
                    }
                }
                _ => {}
            }
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_import_expression(&mut self, it: &ast::ImportExpression<'a>) {
        if let Expression::StringLiteral(s) = it.source.get_inner_expression() {
            let source = s.value.to_string();
            self.source(&source);
        }
        walk::walk_import_expression(self, it);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commonjs_and_es_module_bindings_and_exports() {
        let m = parse(
            b"const session = require('express-session');\nconst { RedisStore: Store } = require('connect-redis');\nimport Redis, { Cluster } from 'ioredis';\nexport const client = new Redis(process.env.URL ?? 'redis://x');\nexport * from './other';\nexport { client as c } from './again';\nmodule.exports.legacy = 1;\napp.use(session({ secret: `s${1}` }));\napp.set('trust proxy', true);\nclient.on('error', () => {});\nrequire('dotenv').config();\n",
            "app.ts",
        );
        assert_eq!(m.error, None);
        let store = m.binding("Store", 100).unwrap();
        assert!(matches!(store, Expr::Member { property, .. } if property == "RedisStore"));
        assert!(
            matches!(m.binding("Cluster", 0), Some(Expr::Member { property, .. }) if property == "Cluster")
        );
        assert!(matches!(m.export("client"), Some(Expr::Ident { name, .. }) if name == "client"));
        assert!(matches!(m.export("c"), Some(Expr::Member { .. })));
        assert!(matches!(m.export("legacy"), Some(Expr::Num { .. })));
        assert_eq!(m.star_exports, vec!["./other".to_string()]);
        assert_eq!(m.session_calls.len(), 1);
        assert_eq!(m.trust_proxy.len(), 1);
        assert_eq!(m.error_listeners, vec!["client".to_string()]);
        assert!(m.loads_dotenv);
        let Some(Expr::New { args, .. }) = m.binding("client", 500) else {
            panic!("client is a new expression");
        };
        assert!(
            matches!(&args[0], Expr::Logical { op: LogicalOp::Nullish, left, .. } if matches!(left.as_ref(), Expr::Env { var, .. } if var == "URL"))
        );
    }

    #[test]
    fn syntax_errors_and_nesting_are_reported_with_spans_inside_the_file() {
        let m = parse(b"const x = {;\n", "a.js");
        let e = m.error.unwrap();
        assert!(e.span.end <= 13);
        let deep = format!(
            "x = {}1{};",
            "[".repeat(MAX_NESTING + 1),
            "]".repeat(MAX_NESTING + 1)
        );
        let m = parse(deep.as_bytes(), "a.js");
        assert!(m.error.unwrap().message.contains("nested deeper"));
        let m = parse(b"const s = '\xff';", "a.js");
        assert_eq!(m.error.unwrap().span, 11..12);
    }
}
