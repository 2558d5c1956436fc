//! The part of an engine that is the same for every sqlx driver, written
//! once as a macro that an engine crate expands (so that this crate does not
//! depend on sqlx): a session that is a pooled connection or a transaction,
//! its statements, and its end.

/// Defines, in the calling module, `pub struct $session` (a
/// [`Session`](crate::workflow::engine::Session) on a `$db` pool), `pub
/// struct $cells` (its rows, wrapping `$row`; the engine implements
/// [`Row`](crate::workflow::engine::Row) for it) and `fn failed` (a driver
/// error as a [`StatementError`](crate::workflow::engine::StatementError), and `fn database` where no statement ran).
/// `pub struct $within` is a session on a transaction someone else owns.
/// `query(sql, binds)` binds values in the engine's encodings;
/// `$lock(session, lock)` takes a lock (generic over the session). Sessions are made by
/// `$session::direct(pool)` and `$session::transaction(tx, held)`,
/// where `held` is kept until the session ends (SQLite's writer turn).
#[macro_export]
#[doc(hidden)]
macro_rules! sqlx_session {
    (
        database: $db:ty,
        session: $session:ident,
        within: $within:ident,
        cells: $cells:ident($row:ty),
        instant: $instant:expr,
        day: $day:expr,
        lock: $lock:path $(,)?
    ) => {
        /// `sql` with `binds` bound to `$1`, `$2`, …; instants and days in
        /// the engine's encodings (`$instant`, `$day`), every `NULL` typed.
        fn query<'q>(
            sql: &'q str,
            binds: &'q [$crate::workflow::engine::Value<'_>],
        ) -> ::sqlx::query::Query<'q, $db, <$db as ::sqlx::Database>::Arguments<'q>> {
            use $crate::workflow::engine::Value;
            binds
                .iter()
                .fold(::sqlx::query(sql), |query, value| match value {
                    Value::Int(v) => query.bind(*v),
                    Value::Bool(v) => query.bind(*v),
                    Value::Text(v) => query.bind(v.as_deref()),
                    Value::Bytes(v) => query.bind(*v),
                    Value::Instant(v) => query.bind(v.map($instant)),
                    Value::Day(v) => query.bind(v.map($day)),
                })
        }

        /// A connection of the store's pool, or a transaction on one.
        #[derive(Debug)]
        pub struct $session {
            connection: SessionConnection,
            /// Kept until the session ends.
            _held: Option<Box<dyn ::std::any::Any + Send + Sync>>,
        }

        #[derive(Debug)]
        enum SessionConnection {
            Direct(::sqlx::pool::PoolConnection<$db>),
            Transaction(::sqlx::Transaction<'static, $db>),
        }

        impl $session {
            /// Statements on their own, on a connection of `pool`.
            async fn direct(
                pool: &::sqlx::Pool<$db>,
            ) -> Result<Self, $crate::workflow::WorkflowError> {
                Ok(Self {
                    connection: SessionConnection::Direct(pool.acquire().await.map_err(database)?),
                    _held: None,
                })
            }

            /// A transaction, keeping `held` until it ends.
            fn transaction(
                tx: ::sqlx::Transaction<'static, $db>,
                held: Option<Box<dyn ::std::any::Any + Send + Sync>>,
            ) -> Self {
                Self {
                    connection: SessionConnection::Transaction(tx),
                    _held: held,
                }
            }

            fn connection(&mut self) -> &mut <$db as ::sqlx::Database>::Connection {
                match &mut self.connection {
                    SessionConnection::Direct(conn) => conn,
                    SessionConnection::Transaction(tx) => tx,
                }
            }

            async fn end(
                self,
                commit: bool,
            ) -> Result<(), $crate::workflow::engine::StatementError> {
                match self.connection {
                    SessionConnection::Direct(_) => Ok(()),
                    SessionConnection::Transaction(tx) if commit => {
                        tx.commit().await.map_err(failed)
                    }
                    SessionConnection::Transaction(tx) => tx.rollback().await.map_err(failed),
                }
            }
        }

        /// A driver error, where no statement ran.
        fn database(error: ::sqlx::Error) -> $crate::workflow::WorkflowError {
            $crate::workflow::WorkflowError::Database(Box::new(error))
        }

        /// A driver error, and whether a uniqueness rule refused the statement.
        fn failed(error: ::sqlx::Error) -> $crate::workflow::engine::StatementError {
            let unique = error
                .as_database_error()
                .is_some_and(|e| e.is_unique_violation());
            $crate::workflow::engine::StatementError::new(Box::new(error), unique)
        }

        /// Statements inside a transaction that its owner opened and will
        /// end: a write made outside the workflow store (an import) that
        /// appends its audit entry before it commits. Committing or rolling
        /// back through this session does nothing; the owner does it.
        #[derive(Debug)]
        pub struct $within<'c>(pub &'c mut <$db as ::sqlx::Database>::Connection);

        impl $crate::workflow::engine::Session for $within<'_> {
            type Row = $cells;

            async fn execute(
                &mut self,
                sql: &str,
                binds: &[$crate::workflow::engine::Value<'_>],
            ) -> Result<u64, $crate::workflow::engine::StatementError> {
                let done = query(sql, binds)
                    .execute(&mut *self.0)
                    .await
                    .map_err(failed)?;
                Ok(done.rows_affected())
            }

            async fn fetch_all(
                &mut self,
                sql: &str,
                binds: &[$crate::workflow::engine::Value<'_>],
            ) -> Result<Vec<$cells>, $crate::workflow::engine::StatementError> {
                let rows = query(sql, binds)
                    .fetch_all(&mut *self.0)
                    .await
                    .map_err(failed)?;
                Ok(rows.into_iter().map($cells).collect())
            }

            async fn fetch_optional(
                &mut self,
                sql: &str,
                binds: &[$crate::workflow::engine::Value<'_>],
            ) -> Result<Option<$cells>, $crate::workflow::engine::StatementError> {
                let row = query(sql, binds)
                    .fetch_optional(&mut *self.0)
                    .await
                    .map_err(failed)?;
                Ok(row.map($cells))
            }

            async fn lock(
                &mut self,
                lock: $crate::workflow::engine::Lock<'_>,
            ) -> Result<(), $crate::workflow::engine::StatementError> {
                $lock(self, lock).await
            }

            async fn commit(self) -> Result<(), $crate::workflow::engine::StatementError> {
                Ok(())
            }

            async fn rollback(self) -> Result<(), $crate::workflow::engine::StatementError> {
                Ok(())
            }
        }

        impl $crate::workflow::engine::Session for $session {
            type Row = $cells;

            async fn execute(
                &mut self,
                sql: &str,
                binds: &[$crate::workflow::engine::Value<'_>],
            ) -> Result<u64, $crate::workflow::engine::StatementError> {
                $within(self.connection()).execute(sql, binds).await
            }

            async fn fetch_all(
                &mut self,
                sql: &str,
                binds: &[$crate::workflow::engine::Value<'_>],
            ) -> Result<Vec<$cells>, $crate::workflow::engine::StatementError> {
                $within(self.connection()).fetch_all(sql, binds).await
            }

            async fn fetch_optional(
                &mut self,
                sql: &str,
                binds: &[$crate::workflow::engine::Value<'_>],
            ) -> Result<Option<$cells>, $crate::workflow::engine::StatementError> {
                $within(self.connection()).fetch_optional(sql, binds).await
            }

            async fn lock(
                &mut self,
                lock: $crate::workflow::engine::Lock<'_>,
            ) -> Result<(), $crate::workflow::engine::StatementError> {
                $lock(self, lock).await
            }

            async fn commit(self) -> Result<(), $crate::workflow::engine::StatementError> {
                self.end(true).await
            }

            async fn rollback(self) -> Result<(), $crate::workflow::engine::StatementError> {
                self.end(false).await
            }
        }

        /// A row a session returned.
        pub struct $cells($row);

        impl ::std::fmt::Debug for $cells {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($cells))
                    .field("columns", &::sqlx::Row::len(&self.0))
                    .finish()
            }
        }

        impl $cells {
            /// The cell of `column` as `T`; a cell that does not decode is
            /// corrupt, naming the column.
            fn decode<'r, T>(&'r self, column: &str) -> Result<T, $crate::workflow::WorkflowError>
            where
                T: ::sqlx::Decode<'r, $db> + ::sqlx::Type<$db>,
            {
                ::sqlx::Row::try_get(&self.0, column).map_err(|error| match error {
                    ::sqlx::Error::ColumnDecode { .. } => {
                        $crate::workflow::WorkflowError::Corrupt(format!("{column}: {error}"))
                    }
                    other => database(other),
                })
            }
        }
    };
}
