//! [`ReceiverStore`] on both backends.

macro_rules! receiver_queries {
    ($store:ty) => {
        use async_trait::async_trait;
        use sqlx::Row;

        use crate::store::dialect::Dialect;
        use crate::store::receiver::{ReceiverAccount, ReceiverStore};
        use crate::store::StoreError;

        type DbRow = <<$store as Dialect>::Db as sqlx::Database>::Row;

        fn account_row(r: &DbRow) -> Result<ReceiverAccount, StoreError> {
            Ok(ReceiverAccount {
                account: r.try_get("account")?,
                key_hex: r.try_get("key_hex")?,
                device_id: r.try_get("device_id")?,
                created_ms: r.try_get("created_ms")?,
                last_seen_ms: r.try_get("last_seen_ms")?,
                last_checkin_ms: r.try_get("last_checkin_ms")?,
                messages: r.try_get("messages")?,
                supervision_s: r.try_get("supervision_s")?,
                missed_raised_for_ms: r.try_get("missed_raised_for_ms")?,
            })
        }

        #[async_trait]
        impl ReceiverStore for $store {
            async fn put_receiver_account(&self, a: &ReceiverAccount) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO receiver_accounts \
                     (account, key_hex, device_id, created_ms, supervision_s) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (account) DO UPDATE SET key_hex = excluded.key_hex, \
                     device_id = excluded.device_id, supervision_s = excluded.supervision_s",
                )
                .bind(&a.account)
                .bind(&a.key_hex)
                .bind(&a.device_id)
                .bind(a.created_ms)
                .bind(a.supervision_s)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn add_receiver_account_if_missing(
                &self,
                a: &ReceiverAccount,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO receiver_accounts \
                     (account, key_hex, device_id, created_ms, supervision_s) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account) DO NOTHING",
                )
                .bind(&a.account)
                .bind(&a.key_hex)
                .bind(&a.device_id)
                .bind(a.created_ms)
                .bind(a.supervision_s)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn receiver_account(
                &self,
                account: &str,
            ) -> Result<Option<ReceiverAccount>, StoreError> {
                sqlx::query("SELECT * FROM receiver_accounts WHERE account = $1")
                    .bind(account)
                    .fetch_optional(self.reader())
                    .await?
                    .as_ref()
                    .map(account_row)
                    .transpose()
            }

            async fn receiver_accounts(&self) -> Result<Vec<ReceiverAccount>, StoreError> {
                let rows = sqlx::query("SELECT * FROM receiver_accounts ORDER BY account")
                    .fetch_all(self.reader())
                    .await?;
                rows.iter().map(account_row).collect()
            }

            async fn remove_receiver_account(&self, account: &str) -> Result<bool, StoreError> {
                let done = sqlx::query("DELETE FROM receiver_accounts WHERE account = $1")
                    .bind(account)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn receiver_heard(
                &self,
                account: &str,
                at_ms: i64,
                checkin: bool,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "UPDATE receiver_accounts SET last_seen_ms = $2, messages = messages + 1, \
                     last_checkin_ms = CASE WHEN $3 THEN $2 ELSE last_checkin_ms END \
                     WHERE account = $1",
                )
                .bind(account)
                .bind(at_ms)
                .bind(checkin)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn mark_receiver_missed_raised(
                &self,
                account: &str,
                for_ms: i64,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "UPDATE receiver_accounts SET missed_raised_for_ms = $2 WHERE account = $1",
                )
                .bind(account)
                .bind(for_ms)
                .execute(self.writer())
                .await?;
                Ok(())
            }
        }
    };
}

mod sqlite {
    receiver_queries!(crate::store::SqliteStore);
}

mod postgres {
    receiver_queries!(crate::store::PgStore);
}
