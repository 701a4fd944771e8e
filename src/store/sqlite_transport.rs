//! [`TransportStore`] and [`Outbox`] on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use tracing::instrument;

use super::{SqliteStore, StoreError};
use crate::sms::Outbox;
use crate::sms::{OutboxRow, OutgoingSms};
use crate::transport::model::{ActionRecord, BookingKey, DayPlan, Rider, Trip, Vehicle};
use crate::transport::odometer::{self, Fix, VehicleDay};
use crate::transport::TransportStore;
use routing::travel::LonLat;

use super::transport_json::{decode_doc, encode_doc};

fn docs<T: serde::de::DeserializeOwned>(
    rows: Vec<sqlx::sqlite::SqliteRow>,
) -> Result<Vec<T>, StoreError> {
    rows.iter()
        .map(|r| decode_doc(&r.try_get::<String, _>("data")?))
        .collect()
}

fn outbox_row(r: &sqlx::sqlite::SqliteRow) -> Result<OutboxRow, StoreError> {
    Ok(OutboxRow {
        id: r.try_get("id")?,
        key: r.try_get("idem_key")?,
        to: r.try_get("to_phone")?,
        body: r.try_get("body")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        next_attempt_ms: r.try_get("next_attempt_at")?,
        provider_sid: r.try_get("provider_sid")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
    })
}

const TRIP_UPSERT: &str = "INSERT INTO transport_bookings \
    (id, rider_id, service_date, status, series_id, data, created_at, updated_at) \
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

#[async_trait]
impl TransportStore for SqliteStore {
    #[instrument(skip_all, fields(rider.id = %rider.id))]
    async fn put_rider(&self, rider: &Rider) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO transport_riders (id, data, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        )
        .bind(&rider.id)
        .bind(encode_doc(rider)?)
        .bind(Utc::now())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    #[instrument(skip_all, fields(rider.id = %id))]
    async fn rider(&self, id: &str) -> Result<Option<Rider>, StoreError> {
        let row = sqlx::query("SELECT data FROM transport_riders WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| decode_doc(&r.try_get::<String, _>("data")?))
            .transpose()
    }

    #[instrument(skip_all)]
    async fn riders(&self) -> Result<Vec<Rider>, StoreError> {
        docs(
            sqlx::query("SELECT data FROM transport_riders ORDER BY id")
                .fetch_all(&self.reader)
                .await?,
        )
    }

    #[instrument(skip_all, fields(vehicle.id = %vehicle.id))]
    async fn put_vehicle(&self, vehicle: &Vehicle) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO transport_vehicles (id, data, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        )
        .bind(&vehicle.id)
        .bind(encode_doc(vehicle)?)
        .bind(Utc::now())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    #[instrument(skip_all)]
    async fn vehicles(&self) -> Result<Vec<Vehicle>, StoreError> {
        docs(
            sqlx::query("SELECT data FROM transport_vehicles ORDER BY id")
                .fetch_all(&self.reader)
                .await?,
        )
    }

    #[instrument(skip_all, fields(trips = trips.len()))]
    async fn insert_trips(&self, trips: &[Trip]) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        insert_trip_rows(&mut tx, trips).await?;
        tx.commit().await?;
        Ok(())
    }

    #[instrument(skip_all, fields(trips = trips.len()))]
    async fn insert_keyed_trips(
        &self,
        key: &str,
        booking: &BookingKey,
        trips: &[Trip],
    ) -> Result<Option<BookingKey>, StoreError> {
        let mut tx = self.writer.begin().await?;
        // The key first: a concurrent repeat waits on it (or finds it) instead of booking twice.
        let taken = sqlx::query(
            "INSERT INTO transport_booking_keys (idem_key, data, created_at) VALUES (?, ?, ?) \
             ON CONFLICT (idem_key) DO NOTHING",
        )
        .bind(key)
        .bind(encode_doc(booking)?)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 0;
        if taken {
            let row = sqlx::query("SELECT data FROM transport_booking_keys WHERE idem_key = ?")
                .bind(key)
                .fetch_one(&mut *tx)
                .await?;
            tx.rollback().await?;
            return Ok(Some(decode_doc(&row.try_get::<String, _>("data")?)?));
        }
        insert_trip_rows(&mut tx, trips).await?;
        tx.commit().await?;
        Ok(None)
    }

    #[instrument(skip_all)]
    async fn booking_key(&self, key: &str) -> Result<Option<BookingKey>, StoreError> {
        let row = sqlx::query("SELECT data FROM transport_booking_keys WHERE idem_key = ?")
            .bind(key)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| decode_doc(&r.try_get::<String, _>("data")?))
            .transpose()
    }

    #[instrument(skip_all, fields(trips = trips.len()))]
    async fn update_trips(&self, trips: &[Trip]) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        for t in trips {
            update_trip(&mut tx, t).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[instrument(skip_all, fields(trip.id = %id))]
    async fn trip(&self, id: &str) -> Result<Option<Trip>, StoreError> {
        let row = sqlx::query("SELECT data FROM transport_bookings WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| decode_doc(&r.try_get::<String, _>("data")?))
            .transpose()
    }

    #[instrument(skip_all, fields(%date))]
    async fn trips_on(&self, date: NaiveDate) -> Result<Vec<Trip>, StoreError> {
        docs(
            sqlx::query("SELECT data FROM transport_bookings WHERE service_date = ? ORDER BY id")
                .bind(date.to_string())
                .fetch_all(&self.reader)
                .await?,
        )
    }

    #[instrument(skip_all, fields(rider.id = %rider, %date))]
    async fn rider_trips_on(&self, rider: &str, date: NaiveDate) -> Result<Vec<Trip>, StoreError> {
        docs(
            sqlx::query(
                "SELECT data FROM transport_bookings WHERE rider_id = ? AND service_date = ? \
                 ORDER BY id",
            )
            .bind(rider)
            .bind(date.to_string())
            .fetch_all(&self.reader)
            .await?,
        )
    }

    #[instrument(skip_all, fields(series.id = %series))]
    async fn series_trips(&self, series: &str) -> Result<Vec<Trip>, StoreError> {
        docs(
            sqlx::query(
                "SELECT data FROM transport_bookings WHERE series_id = ? ORDER BY service_date, id",
            )
            .bind(series)
            .fetch_all(&self.reader)
            .await?,
        )
    }

    #[instrument(skip_all, fields(%from, %to))]
    async fn trips_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Trip>, StoreError> {
        docs(
            sqlx::query(
                "SELECT data FROM transport_bookings WHERE service_date >= ? AND service_date <= ? \
                 ORDER BY service_date, id",
            )
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(&self.reader)
            .await?,
        )
    }

    #[instrument(skip_all, fields(%date))]
    async fn plan(&self, date: NaiveDate) -> Result<Option<DayPlan>, StoreError> {
        let row = sqlx::query("SELECT data FROM transport_plans WHERE service_date = ?")
            .bind(date.to_string())
            .fetch_optional(&self.writer)
            .await?;
        row.map(|r| decode_doc(&r.try_get::<String, _>("data")?))
            .transpose()
    }

    #[instrument(skip_all, fields(date = %plan.date, version = plan.version))]
    async fn put_plan(&self, plan: &DayPlan) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let current: Option<i64> =
            sqlx::query_scalar("SELECT version FROM transport_plans WHERE service_date = ?")
                .bind(plan.date.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        if current.is_some_and(|v| v + 1 != plan.version)
            || (current.is_none() && plan.version != 1)
        {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO transport_plans (service_date, version, data, updated_at) \
             VALUES (?, ?, ?, ?) ON CONFLICT (service_date) DO UPDATE SET \
             version = excluded.version, data = excluded.data, updated_at = excluded.updated_at",
        )
        .bind(plan.date.to_string())
        .bind(plan.version)
        .bind(encode_doc(plan)?)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    #[instrument(skip_all, fields(%from))]
    async fn plan_dates_from(&self, from: NaiveDate) -> Result<Vec<NaiveDate>, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT service_date FROM transport_plans WHERE service_date >= ? ORDER BY service_date",
        )
        .bind(from.to_string())
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.iter().filter_map(|d| d.parse().ok()).collect())
    }

    #[instrument(skip_all, fields(action.id = %action.action_id))]
    async fn record_action(
        &self,
        action: &ActionRecord,
        trip: Option<&Trip>,
    ) -> Result<Option<ActionRecord>, StoreError> {
        let mut tx = self.writer.begin().await?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT data FROM transport_actions WHERE action_id = ?")
                .bind(&action.action_id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(data) = existing {
            return Ok(Some(decode_doc(&data)?));
        }
        sqlx::query(
            "INSERT INTO transport_actions (action_id, booking_id, vehicle_id, kind, at, data) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&action.action_id)
        .bind(action.trip_id.as_deref().unwrap_or(""))
        .bind(&action.vehicle_id)
        .bind(action.kind.as_str())
        .bind(action.at)
        .bind(encode_doc(action)?)
        .execute(&mut *tx)
        .await?;
        if let Some(t) = trip {
            update_trip(&mut tx, t).await?;
        }
        tx.commit().await?;
        Ok(None)
    }

    #[instrument(skip_all, fields(action.id = %action_id))]
    async fn action(&self, action_id: &str) -> Result<Option<ActionRecord>, StoreError> {
        let row: Option<String> =
            sqlx::query_scalar("SELECT data FROM transport_actions WHERE action_id = ?")
                .bind(action_id)
                .fetch_optional(&self.reader)
                .await?;
        row.map(|d| decode_doc(&d)).transpose()
    }

    #[instrument(skip_all, fields(vehicle.id = %vehicle))]
    async fn put_position(
        &self,
        vehicle: &str,
        position: LonLat,
        at: DateTime<Utc>,
        day: NaiveDate,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO transport_positions (vehicle_id, lon, lat, at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (vehicle_id) DO UPDATE SET lon = excluded.lon, lat = excluded.lat, \
             at = excluded.at",
        )
        .bind(vehicle)
        .bind(position.lon)
        .bind(position.lat)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        let last = sqlx::query(
            "SELECT last_lon, last_lat, last_at FROM transport_vehicle_days \
             WHERE vehicle_id = ? AND service_date = ?",
        )
        .bind(vehicle)
        .bind(day.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| -> Result<Fix, sqlx::Error> {
            Ok(Fix {
                position: LonLat::new(r.try_get("last_lon")?, r.try_get("last_lat")?),
                at: r.try_get("last_at")?,
            })
        })
        .transpose()?;
        let step = odometer::step(last.as_ref(), &Fix { position, at });
        if step.advance {
            sqlx::query(
                "INSERT INTO transport_vehicle_days \
                 (vehicle_id, service_date, metres, seconds, fixes, last_lon, last_lat, last_at) \
                 VALUES (?, ?, ?, ?, 1, ?, ?, ?) \
                 ON CONFLICT (vehicle_id, service_date) DO UPDATE SET \
                 metres = transport_vehicle_days.metres + excluded.metres, \
                 seconds = transport_vehicle_days.seconds + excluded.seconds, \
                 fixes = transport_vehicle_days.fixes + 1, last_lon = excluded.last_lon, \
                 last_lat = excluded.last_lat, last_at = excluded.last_at",
            )
            .bind(vehicle)
            .bind(day.to_string())
            .bind(step.metres)
            .bind(step.seconds)
            .bind(position.lon)
            .bind(position.lat)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[instrument(skip_all, fields(%from, %to))]
    async fn vehicle_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<VehicleDay>, StoreError> {
        let rows = sqlx::query(
            "SELECT vehicle_id, service_date, metres, seconds, fixes FROM transport_vehicle_days \
             WHERE service_date >= ? AND service_date <= ? ORDER BY service_date, vehicle_id",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                let date: String = r.try_get("service_date")?;
                Ok(VehicleDay {
                    vehicle_id: r.try_get("vehicle_id")?,
                    date: date.parse().map_err(|e| StoreError::Corrupt {
                        seq: 0,
                        message: format!("service_date {date}: {e}"),
                    })?,
                    metres: r.try_get("metres")?,
                    seconds: r.try_get("seconds")?,
                    fixes: r.try_get("fixes")?,
                })
            })
            .collect()
    }

    #[instrument(skip_all, fields(vehicle.id = %vehicle))]
    async fn position(&self, vehicle: &str) -> Result<Option<(LonLat, DateTime<Utc>)>, StoreError> {
        let row = sqlx::query("SELECT lon, lat, at FROM transport_positions WHERE vehicle_id = ?")
            .bind(vehicle)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| {
            Ok((
                LonLat::new(r.try_get("lon")?, r.try_get("lat")?),
                r.try_get("at")?,
            ))
        })
        .transpose()
    }
}

async fn update_trip(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    t: &Trip,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE transport_bookings SET status = ?, data = ?, updated_at = ? WHERE id = ?")
        .bind(t.status.as_str())
        .bind(encode_doc(t)?)
        .bind(Utc::now())
        .bind(&t.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[async_trait]
impl Outbox for SqliteStore {
    #[instrument(skip_all, fields(messages = messages.len()))]
    async fn insert_messages(
        &self,
        messages: &[OutgoingSms],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let mut tx = self.writer.begin().await?;
        let mut added = 0;
        for m in messages {
            let done = sqlx::query(
                "INSERT INTO sms_outbox (id, idem_key, to_phone, body, status, attempts, \
                 next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?) \
                 ON CONFLICT (idem_key) DO NOTHING",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&m.key)
            .bind(&m.to)
            .bind(&m.body)
            .bind(now.timestamp_millis())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            added += done.rows_affected() as usize;
        }
        tx.commit().await?;
        Ok(added)
    }

    #[instrument(skip_all)]
    async fn due(&self, now_ms: i64, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM sms_outbox WHERE status = 'pending' AND next_attempt_at <= ? \
             ORDER BY next_attempt_at, id LIMIT ?",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.writer)
        .await?;
        rows.iter().map(outbox_row).collect()
    }

    #[instrument(skip_all, fields(sms.id = %id))]
    async fn claim(&self, id: &str, now_ms: i64, lease_until_ms: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE sms_outbox SET attempts = attempts + 1, next_attempt_at = ? \
             WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?",
        )
        .bind(lease_until_ms)
        .bind(id)
        .bind(now_ms)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    #[instrument(skip_all, fields(sms.id = %id))]
    async fn mark_sent(&self, id: &str, sid: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sms_outbox SET status = 'sent', provider_sid = ?, sent_at = ?, \
             last_error = NULL WHERE id = ?",
        )
        .bind(sid)
        .bind(at)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    #[instrument(skip_all, fields(sms.id = %id))]
    async fn mark_attempt(
        &self,
        id: &str,
        attempts: i32,
        next_ms: Option<i64>,
        error: &str,
    ) -> Result<(), StoreError> {
        let status = if next_ms.is_some() {
            "pending"
        } else {
            "failed"
        };
        sqlx::query(
            "UPDATE sms_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ? \
             WHERE id = ? AND status = 'pending'",
        )
        .bind(status)
        .bind(attempts)
        .bind(next_ms.unwrap_or(i64::MAX))
        .bind(error)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    #[instrument(skip_all)]
    async fn recent(&self, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM sms_outbox ORDER BY created_at DESC, id DESC LIMIT ?")
                .bind(limit)
                .fetch_all(&self.writer)
                .await?;
        rows.iter().map(outbox_row).collect()
    }
}

/// Inserts new trip rows in the caller's transaction.
async fn insert_trip_rows(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    trips: &[Trip],
) -> Result<(), StoreError> {
    let now = Utc::now();
    for t in trips {
        sqlx::query(TRIP_UPSERT)
            .bind(&t.id)
            .bind(&t.rider_id)
            .bind(t.date.to_string())
            .bind(t.status.as_str())
            .bind(&t.series_id)
            .bind(encode_doc(t)?)
            .bind(now)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
