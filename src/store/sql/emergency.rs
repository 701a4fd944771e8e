//! [`EmergencyStore`] on both backends.

use uuid::Uuid;

use crate::domain::ItemId;
use crate::store::StoreError;

const DEVICE_COLUMNS: &str = "device_id, beneficiary, address, lon, lat, phone, carers, \
    medical_notes, access_notes, key_safe, checkin_period_s, last_checkin_at, battery_pct, \
    missed_raised_for, low_battery_raised";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        seq: 0,
        message: format!("{what}: {e}"),
    }
}

/// Item ids are TEXT in the emergency tables on both backends.
fn item_id(s: &str) -> Result<ItemId, StoreError> {
    Uuid::parse_str(s)
        .map(ItemId)
        .map_err(|e| corrupt("item id", e))
}

macro_rules! emergency_queries {
    ($store:ty) => {
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use sqlx::Row;
        use tracing::instrument;
        use uuid::Uuid;

        use super::{corrupt, item_id, DEVICE_COLUMNS};
        use crate::domain::ItemId;
        use crate::store::dialect::Dialect;
        use crate::store::emergency::{
            DeviceRecord, EmergencyStore, FollowUpRecord, ReferralRecord,
        };
        use crate::store::StoreError;

        type Db = <$store as Dialect>::Db;
        type DbRow = <Db as sqlx::Database>::Row;

        fn device(r: &DbRow) -> Result<DeviceRecord, StoreError> {
            let carers: String = r.try_get("carers")?;
            Ok(DeviceRecord {
                device_id: r.try_get("device_id")?,
                beneficiary: r.try_get("beneficiary")?,
                address: r.try_get("address")?,
                lon: r.try_get("lon")?,
                lat: r.try_get("lat")?,
                phone: r.try_get("phone")?,
                carers: serde_json::from_str(&carers).map_err(|e| corrupt("carers", e))?,
                medical_notes: r.try_get("medical_notes")?,
                access_notes: r.try_get("access_notes")?,
                key_safe: r.try_get("key_safe")?,
                checkin_period_s: r.try_get("checkin_period_s")?,
                last_checkin_at: r.try_get("last_checkin_at")?,
                battery_pct: r.try_get("battery_pct")?,
                missed_raised_for: r.try_get("missed_raised_for")?,
                low_battery_raised: r.try_get("low_battery_raised")?,
            })
        }

        pub(crate) fn referral(r: &DbRow) -> Result<ReferralRecord, StoreError> {
            let id: String = r.try_get("id")?;
            let item: String = r.try_get("item_id")?;
            Ok(ReferralRecord {
                id: Uuid::parse_str(&id).map_err(|e| corrupt("referral id", e))?,
                item_id: item_id(&item)?,
                service: r.try_get("service")?,
                note: r.try_get("note")?,
                created_by: r.try_get("created_by")?,
                created_at: r.try_get("created_at")?,
                acknowledged_by: r.try_get("acknowledged_by")?,
                acknowledged_at: r.try_get("acknowledged_at")?,
                ack_due_at: r.try_get("ack_due_at")?,
                escalated_at: r.try_get("escalated_at")?,
                outcome: r.try_get("outcome")?,
                outcome_reason: r.try_get("outcome_reason")?,
                outcome_note: r.try_get("outcome_note")?,
                outcome_by: r.try_get("outcome_by")?,
                outcome_at: r.try_get("outcome_at")?,
            })
        }

        fn follow_up(r: &DbRow) -> Result<FollowUpRecord, StoreError> {
            let id: String = r.try_get("id")?;
            let item: String = r.try_get("item_id")?;
            let callback: Option<String> = r.try_get("callback_item")?;
            Ok(FollowUpRecord {
                id: Uuid::parse_str(&id).map_err(|e| corrupt("follow-up id", e))?,
                item_id: item_id(&item)?,
                phone: r.try_get("phone")?,
                reason: r.try_get("reason")?,
                due: r.try_get("due")?,
                created_by: r.try_get("created_by")?,
                state: r.try_get("state")?,
                callback_item: callback.as_deref().map(item_id).transpose()?,
            })
        }

        #[async_trait]
        impl EmergencyStore for $store {
            #[instrument(skip_all, fields(device = %d.device_id))]
            async fn put_device(&self, d: &DeviceRecord) -> Result<(), StoreError> {
                let carers = serde_json::to_string(&d.carers).map_err(|e| corrupt("carers", e))?;
                sqlx::query(&format!(
                    "INSERT INTO ta_devices ({DEVICE_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                     ON CONFLICT (device_id) DO UPDATE SET beneficiary = excluded.beneficiary, \
                     address = excluded.address, lon = excluded.lon, lat = excluded.lat, \
                     phone = excluded.phone, carers = excluded.carers, \
                     medical_notes = excluded.medical_notes, \
                     access_notes = excluded.access_notes, key_safe = excluded.key_safe, \
                     checkin_period_s = excluded.checkin_period_s"
                ))
                .bind(&d.device_id)
                .bind(&d.beneficiary)
                .bind(&d.address)
                .bind(d.lon)
                .bind(d.lat)
                .bind(&d.phone)
                .bind(carers)
                .bind(&d.medical_notes)
                .bind(&d.access_notes)
                .bind(&d.key_safe)
                .bind(d.checkin_period_s)
                .bind(d.last_checkin_at)
                .bind(d.battery_pct)
                .bind(d.missed_raised_for)
                .bind(d.low_battery_raised)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn device(&self, id: &str) -> Result<Option<DeviceRecord>, StoreError> {
                let row = sqlx::query(&format!(
                    "SELECT {DEVICE_COLUMNS} FROM ta_devices WHERE device_id = $1"
                ))
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
                row.as_ref().map(device).transpose()
            }

            async fn devices(&self) -> Result<Vec<DeviceRecord>, StoreError> {
                let rows = sqlx::query(&format!(
                    "SELECT {DEVICE_COLUMNS} FROM ta_devices ORDER BY device_id"
                ))
                .fetch_all(self.reader())
                .await?;
                rows.iter().map(device).collect()
            }

            async fn devices_by_phone(&self, phone: &str) -> Result<Vec<DeviceRecord>, StoreError> {
                // Carers are a JSON array; a quoted match finds a number as a whole value.
                let rows = sqlx::query(&format!(
                    "SELECT {DEVICE_COLUMNS} FROM ta_devices \
                     WHERE phone = $1 OR {strpos}(carers, $2) > 0 ORDER BY device_id LIMIT 20",
                    strpos = <$store as Dialect>::STRPOS,
                ))
                .bind(phone)
                .bind(format!("\"{phone}\""))
                .fetch_all(self.reader())
                .await?;
                rows.iter().map(device).collect()
            }

            #[instrument(skip_all, fields(device = id))]
            async fn record_checkin(
                &self,
                id: &str,
                at: DateTime<Utc>,
                battery_pct: Option<i32>,
            ) -> Result<Option<DeviceRecord>, StoreError> {
                let done = sqlx::query(
                    "UPDATE ta_devices \
                     SET last_checkin_at = $1, battery_pct = COALESCE($2, battery_pct) \
                     WHERE device_id = $3",
                )
                .bind(at)
                .bind(battery_pct)
                .bind(id)
                .execute(self.writer())
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(None);
                }
                self.device(id).await
            }

            async fn mark_missed_raised(
                &self,
                id: &str,
                for_checkin: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                sqlx::query("UPDATE ta_devices SET missed_raised_for = $1 WHERE device_id = $2")
                    .bind(for_checkin)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn set_checkin_period(&self, id: &str, period_s: i64) -> Result<(), StoreError> {
                sqlx::query("UPDATE ta_devices SET checkin_period_s = $1 WHERE device_id = $2")
                    .bind(period_s)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn set_low_battery_raised(
                &self,
                id: &str,
                raised: bool,
            ) -> Result<(), StoreError> {
                sqlx::query("UPDATE ta_devices SET low_battery_raised = $1 WHERE device_id = $2")
                    .bind(raised)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            #[instrument(skip_all, fields(item.id = %r.item_id))]
            async fn put_referral(&self, r: &ReferralRecord) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO referrals (id, item_id, service, note, created_by, created_at, \
                     acknowledged_by, acknowledged_at, ack_due_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(r.id.to_string())
                .bind(r.item_id.to_string())
                .bind(&r.service)
                .bind(&r.note)
                .bind(&r.created_by)
                .bind(r.created_at)
                .bind(&r.acknowledged_by)
                .bind(r.acknowledged_at)
                .bind(r.ack_due_at)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn referral(&self, id: Uuid) -> Result<Option<ReferralRecord>, StoreError> {
                let row = sqlx::query("SELECT * FROM referrals WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(self.reader())
                    .await?;
                row.as_ref().map(referral).transpose()
            }

            async fn acknowledge_referral(
                &self,
                id: Uuid,
                by: &str,
                at: DateTime<Utc>,
            ) -> Result<Option<ReferralRecord>, StoreError> {
                sqlx::query(
                    "UPDATE referrals SET acknowledged_by = $1, acknowledged_at = $2 \
                     WHERE id = $3 AND acknowledged_at IS NULL",
                )
                .bind(by)
                .bind(at)
                .bind(id.to_string())
                .execute(self.writer())
                .await?;
                self.referral(id).await
            }

            async fn referrals_for(&self, item: ItemId) -> Result<Vec<ReferralRecord>, StoreError> {
                let rows =
                    sqlx::query("SELECT * FROM referrals WHERE item_id = $1 ORDER BY created_at")
                        .bind(item.to_string())
                        .fetch_all(self.reader())
                        .await?;
                rows.iter().map(referral).collect()
            }

            #[instrument(skip_all, fields(item.id = %f.item_id))]
            async fn put_follow_up(&self, f: &FollowUpRecord) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO follow_ups (id, item_id, phone, reason, due, created_by, state, \
                     callback_item) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(f.id.to_string())
                .bind(f.item_id.to_string())
                .bind(&f.phone)
                .bind(&f.reason)
                .bind(f.due)
                .bind(&f.created_by)
                .bind(&f.state)
                .bind(f.callback_item.map(|i| i.to_string()))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn due_follow_ups(
                &self,
                now: DateTime<Utc>,
            ) -> Result<Vec<FollowUpRecord>, StoreError> {
                // Timestamps are text on SQLite; compare them as times, not strings.
                let rows = sqlx::query("SELECT * FROM follow_ups WHERE state = 'scheduled'")
                    .fetch_all(self.reader())
                    .await?;
                let all: Vec<FollowUpRecord> =
                    rows.iter().map(follow_up).collect::<Result<_, _>>()?;
                Ok(all.into_iter().filter(|f| f.due <= now).collect())
            }

            async fn follow_ups_for(
                &self,
                item: ItemId,
            ) -> Result<Vec<FollowUpRecord>, StoreError> {
                let rows = sqlx::query("SELECT * FROM follow_ups WHERE item_id = $1 ORDER BY due")
                    .bind(item.to_string())
                    .fetch_all(self.reader())
                    .await?;
                rows.iter().map(follow_up).collect()
            }

            async fn set_follow_up_state(
                &self,
                id: Uuid,
                state: &str,
                callback_item: Option<ItemId>,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE follow_ups SET state = $1, callback_item = $2 \
                     WHERE id = $3 AND state = 'scheduled'",
                )
                .bind(state)
                .bind(callback_item.map(|i| i.to_string()))
                .bind(id.to_string())
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn block_contact(
                &self,
                phone: &str,
                item: ItemId,
                by: &str,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO blocked_contacts (phone, item_id, created_by, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (phone) DO NOTHING",
                )
                .bind(phone)
                .bind(item.to_string())
                .bind(by)
                .bind(Utc::now())
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn is_contact_blocked(&self, phone: &str) -> Result<bool, StoreError> {
                let n: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM blocked_contacts WHERE phone = $1")
                        .bind(phone)
                        .fetch_one(self.reader())
                        .await?;
                Ok(n > 0)
            }

            async fn put_call(&self, call_sid: &str, item: ItemId) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO telephony_calls (call_sid, item_id, created_at) \
                     VALUES ($1, $2, $3) \
                     ON CONFLICT (call_sid) DO NOTHING",
                )
                .bind(call_sid)
                .bind(item.to_string())
                .bind(Utc::now())
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn call_item(&self, call_sid: &str) -> Result<Option<ItemId>, StoreError> {
                let id: Option<String> =
                    sqlx::query_scalar("SELECT item_id FROM telephony_calls WHERE call_sid = $1")
                        .bind(call_sid)
                        .fetch_optional(self.reader())
                        .await?;
                id.as_deref().map(item_id).transpose()
            }
        }
    };
}

pub(crate) mod sqlite {
    emergency_queries!(crate::store::SqliteStore);
}

pub(crate) mod postgres {
    emergency_queries!(crate::store::PgStore);
}
