//! [`TransportStore`] on both backends.

macro_rules! transport_queries {
    ($store:ty) => {
        use async_trait::async_trait;
        use chrono::{DateTime, NaiveDate, Utc};
        use sqlx::Row;
        use tracing::instrument;

        use crate::store::dialect::Dialect;
        use crate::store::transport::{decode_doc, encode_doc, MeasureFn, TransportStore};
        use crate::store::StoreError;
        use crate::transport::eligibility::{RiderEvent, RiderEventKind};
        use crate::transport::model::{
            ActionRecord, BookingKey, DayPlan, Fix, Rider, Trip, TripStatus, Vehicle, VehicleDay,
        };
        use routing::travel::LonLat;

        type Db = <$store as Dialect>::Db;
        type DbRow = <Db as sqlx::Database>::Row;

        fn docs<T: serde::de::DeserializeOwned>(rows: Vec<DbRow>) -> Result<Vec<T>, StoreError> {
            rows.iter()
                .map(|r| decode_doc(&r.try_get::<String, _>("data")?))
                .collect()
        }

        const TRIP_UPSERT: &str = "INSERT INTO transport_bookings \
            (id, rider_id, service_date, status, series_id, data, created_at, updated_at) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

        #[async_trait]
        impl TransportStore for $store {
            #[instrument(skip_all, fields(rider.id = %rider.id))]
            async fn put_rider(&self, rider: &Rider) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO transport_riders (id, data, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (id) DO UPDATE SET data = excluded.data, \
                     updated_at = excluded.updated_at",
                )
                .bind(&rider.id)
                .bind(encode_doc(rider)?)
                .bind(Utc::now())
                .execute(self.writer())
                .await?;
                Ok(())
            }

            #[instrument(skip_all, fields(rider.id = %id))]
            async fn rider(&self, id: &str) -> Result<Option<Rider>, StoreError> {
                let row = sqlx::query("SELECT data FROM transport_riders WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                row.map(|r| decode_doc(&r.try_get::<String, _>("data")?))
                    .transpose()
            }

            #[instrument(skip_all)]
            async fn riders(&self) -> Result<Vec<Rider>, StoreError> {
                docs(
                    sqlx::query("SELECT data FROM transport_riders ORDER BY id")
                        .fetch_all(self.reader())
                        .await?,
                )
            }

            #[instrument(skip_all, fields(vehicle.id = %vehicle.id))]
            async fn put_vehicle(&self, vehicle: &Vehicle) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO transport_vehicles (id, data, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (id) DO UPDATE SET data = excluded.data, \
                     updated_at = excluded.updated_at",
                )
                .bind(&vehicle.id)
                .bind(encode_doc(vehicle)?)
                .bind(Utc::now())
                .execute(self.writer())
                .await?;
                Ok(())
            }

            #[instrument(skip_all)]
            async fn vehicles(&self) -> Result<Vec<Vehicle>, StoreError> {
                docs(
                    sqlx::query("SELECT data FROM transport_vehicles ORDER BY id")
                        .fetch_all(self.reader())
                        .await?,
                )
            }

            #[instrument(skip_all, fields(trips = trips.len()))]
            async fn insert_trips(&self, trips: &[Trip]) -> Result<(), StoreError> {
                let mut tx = self.writer().begin().await?;
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
                let mut tx = self.writer().begin().await?;
                // The key first: a concurrent repeat waits on it (or finds it) instead of booking
                // twice.
                let taken = sqlx::query(
                    "INSERT INTO transport_booking_keys (idem_key, data, created_at) \
                     VALUES ($1, $2, $3) \
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
                    let row =
                        sqlx::query("SELECT data FROM transport_booking_keys WHERE idem_key = $1")
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
                let row =
                    sqlx::query("SELECT data FROM transport_booking_keys WHERE idem_key = $1")
                        .bind(key)
                        .fetch_optional(self.reader())
                        .await?;
                row.map(|r| decode_doc(&r.try_get::<String, _>("data")?))
                    .transpose()
            }

            #[instrument(skip_all, fields(trips = trips.len()))]
            async fn update_trips(
                &self,
                trips: &[Trip],
                from: TripStatus,
            ) -> Result<(), StoreError> {
                let mut tx = self.writer().begin().await?;
                for t in trips {
                    update_trip(&mut tx, t, from).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            #[instrument(skip_all, fields(trip.id = %id))]
            async fn trip(&self, id: &str) -> Result<Option<Trip>, StoreError> {
                let row = sqlx::query("SELECT data FROM transport_bookings WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                row.map(|r| decode_doc(&r.try_get::<String, _>("data")?))
                    .transpose()
            }

            #[instrument(skip_all, fields(%date))]
            async fn trips_on(&self, date: NaiveDate) -> Result<Vec<Trip>, StoreError> {
                docs(
                    sqlx::query(
                        "SELECT data FROM transport_bookings WHERE service_date = $1 ORDER BY id",
                    )
                    .bind(date.to_string())
                    .fetch_all(self.reader())
                    .await?,
                )
            }

            #[instrument(skip_all, fields(rider.id = %rider, %date))]
            async fn rider_trips_on(
                &self,
                rider: &str,
                date: NaiveDate,
            ) -> Result<Vec<Trip>, StoreError> {
                docs(
                    sqlx::query(
                        "SELECT data FROM transport_bookings \
                         WHERE rider_id = $1 AND service_date = $2 \
                         ORDER BY id",
                    )
                    .bind(rider)
                    .bind(date.to_string())
                    .fetch_all(self.reader())
                    .await?,
                )
            }

            #[instrument(skip_all, fields(series.id = %series))]
            async fn series_trips(&self, series: &str) -> Result<Vec<Trip>, StoreError> {
                docs(
                    sqlx::query(
                        "SELECT data FROM transport_bookings WHERE series_id = $1 \
                         ORDER BY service_date, id",
                    )
                    .bind(series)
                    .fetch_all(self.reader())
                    .await?,
                )
            }

            #[instrument(skip_all, fields(%from, %to))]
            async fn trips_between(
                &self,
                from: NaiveDate,
                to: NaiveDate,
            ) -> Result<Vec<Trip>, StoreError> {
                docs(
                    sqlx::query(
                        "SELECT data FROM transport_bookings \
                         WHERE service_date >= $1 AND service_date <= $2 \
                         ORDER BY service_date, id",
                    )
                    .bind(from.to_string())
                    .bind(to.to_string())
                    .fetch_all(self.reader())
                    .await?,
                )
            }

            #[instrument(skip_all, fields(%date))]
            async fn plan(&self, date: NaiveDate) -> Result<Option<DayPlan>, StoreError> {
                let row = sqlx::query("SELECT data FROM transport_plans WHERE service_date = $1")
                    .bind(date.to_string())
                    .fetch_optional(self.writer())
                    .await?;
                row.map(|r| decode_doc(&r.try_get::<String, _>("data")?))
                    .transpose()
            }

            #[instrument(skip_all, fields(date = %plan.date, version = plan.version))]
            async fn put_plan(&self, plan: &DayPlan) -> Result<bool, StoreError> {
                let mut tx = self.writer().begin().await?;
                let current: Option<i64> = sqlx::query_scalar(
                    "SELECT version FROM transport_plans WHERE service_date = $1",
                )
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
                     VALUES ($1, $2, $3, $4) ON CONFLICT (service_date) DO UPDATE SET \
                     version = excluded.version, data = excluded.data, \
                     updated_at = excluded.updated_at",
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
                    "SELECT service_date FROM transport_plans WHERE service_date >= $1 \
                     ORDER BY service_date",
                )
                .bind(from.to_string())
                .fetch_all(self.reader())
                .await?;
                Ok(rows.iter().filter_map(|d| d.parse().ok()).collect())
            }

            #[instrument(skip_all, fields(action.id = %action.action_id))]
            async fn record_action(
                &self,
                action: &ActionRecord,
                trip: Option<(&Trip, TripStatus)>,
            ) -> Result<Option<ActionRecord>, StoreError> {
                let mut tx = self.writer().begin().await?;
                let existing: Option<String> =
                    sqlx::query_scalar("SELECT data FROM transport_actions WHERE action_id = $1")
                        .bind(&action.action_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if let Some(data) = existing {
                    return Ok(Some(decode_doc(&data)?));
                }
                sqlx::query(
                    "INSERT INTO transport_actions \
                     (action_id, booking_id, vehicle_id, kind, at, data) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&action.action_id)
                .bind(action.trip_id.as_deref().unwrap_or(""))
                .bind(&action.vehicle_id)
                .bind(action.kind.as_str())
                .bind(action.at)
                .bind(encode_doc(action)?)
                .execute(&mut *tx)
                .await?;
                if let Some((t, from)) = trip {
                    update_trip(&mut tx, t, from).await?;
                }
                tx.commit().await?;
                Ok(None)
            }

            #[instrument(skip_all, fields(action.id = %action_id))]
            async fn action(&self, action_id: &str) -> Result<Option<ActionRecord>, StoreError> {
                let row: Option<String> =
                    sqlx::query_scalar("SELECT data FROM transport_actions WHERE action_id = $1")
                        .bind(action_id)
                        .fetch_optional(self.reader())
                        .await?;
                row.map(|d| decode_doc(&d)).transpose()
            }

            #[instrument(skip_all, fields(vehicle.id = %vehicle))]
            async fn put_fix(
                &self,
                vehicle: &str,
                fix: Fix,
                day: NaiveDate,
                measure: &MeasureFn,
            ) -> Result<(), StoreError> {
                let Fix { position, at } = fix;
                let mut tx = self.writer().begin().await?;
                sqlx::query(
                    "INSERT INTO transport_positions (vehicle_id, lon, lat, at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (vehicle_id) DO UPDATE SET \
                     lon = excluded.lon, lat = excluded.lat, at = excluded.at",
                )
                .bind(vehicle)
                .bind(position.lon)
                .bind(position.lat)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                let last = sqlx::query(&format!(
                    "SELECT last_lon, last_lat, last_at FROM transport_vehicle_days \
                     WHERE vehicle_id = $1 AND service_date = $2{}",
                    <$store as Dialect>::FOR_UPDATE,
                ))
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
                let step = measure(last.as_ref(), &fix);
                if step.advance {
                    sqlx::query(
                        "INSERT INTO transport_vehicle_days (vehicle_id, service_date, metres, \
                         seconds, fixes, last_lon, last_lat, last_at) \
                         VALUES ($1, $2, $3, $4, 1, $5, $6, $7) \
                         ON CONFLICT (vehicle_id, service_date) DO UPDATE SET \
                         metres = transport_vehicle_days.metres + excluded.metres, \
                         seconds = transport_vehicle_days.seconds + excluded.seconds, \
                         fixes = transport_vehicle_days.fixes + 1, \
                         last_lon = excluded.last_lon, last_lat = excluded.last_lat, \
                         last_at = excluded.last_at",
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
                    "SELECT vehicle_id, service_date, metres, seconds, fixes \
                     FROM transport_vehicle_days \
                     WHERE service_date >= $1 AND service_date <= $2 \
                     ORDER BY service_date, vehicle_id",
                )
                .bind(from.to_string())
                .bind(to.to_string())
                .fetch_all(self.reader())
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
            async fn position(
                &self,
                vehicle: &str,
            ) -> Result<Option<(LonLat, DateTime<Utc>)>, StoreError> {
                let row = sqlx::query(
                    "SELECT lon, lat, at FROM transport_positions WHERE vehicle_id = $1",
                )
                .bind(vehicle)
                .fetch_optional(self.reader())
                .await?;
                row.map(|r| {
                    Ok((
                        LonLat::new(r.try_get("lon")?, r.try_get("lat")?),
                        r.try_get("at")?,
                    ))
                })
                .transpose()
            }

            #[instrument(skip_all, fields(rider.id = %event.rider_id))]
            async fn add_rider_event(&self, event: &RiderEvent) -> Result<bool, StoreError> {
                let kind = encode_doc(&event.kind)?;
                let added = sqlx::query(
                    "INSERT INTO transport_rider_events (event_key, rider_id, kind, at, data) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_key) DO NOTHING",
                )
                .bind(&event.key)
                .bind(&event.rider_id)
                .bind(kind.trim_matches('"'))
                .bind(event.at)
                .bind(encode_doc(event)?)
                .execute(self.writer())
                .await?
                .rows_affected();
                Ok(added == 1)
            }

            #[instrument(skip_all)]
            async fn rider_event(&self, key: &str) -> Result<Option<RiderEvent>, StoreError> {
                let row =
                    sqlx::query("SELECT data FROM transport_rider_events WHERE event_key = $1")
                        .bind(key)
                        .fetch_optional(self.writer())
                        .await?;
                row.map(|r| decode_doc(&r.try_get::<String, _>("data")?))
                    .transpose()
            }

            #[instrument(skip_all, fields(rider.id = %rider))]
            async fn rider_events(&self, rider: &str) -> Result<Vec<RiderEvent>, StoreError> {
                docs(
                    sqlx::query(
                        "SELECT data FROM transport_rider_events WHERE rider_id = $1 \
                         ORDER BY at, event_key",
                    )
                    .bind(rider)
                    .fetch_all(self.reader())
                    .await?,
                )
            }

            #[instrument(skip_all)]
            async fn rider_events_of(
                &self,
                kinds: &[RiderEventKind],
            ) -> Result<Vec<RiderEvent>, StoreError> {
                let mut all: Vec<RiderEvent> = Vec::new();
                for k in kinds {
                    let kind = encode_doc(k)?;
                    all.extend(docs::<RiderEvent>(
                        sqlx::query(
                            "SELECT data FROM transport_rider_events WHERE kind = $1 \
                             ORDER BY at, event_key",
                        )
                        .bind(kind.trim_matches('"'))
                        .fetch_all(self.reader())
                        .await?,
                    )?);
                }
                all.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.key.cmp(&b.key)));
                Ok(all)
            }
        }

        /// Writes `t` over its row if the row's status is still `from`; the caller's transaction
        /// is dropped (rolled back) on [`StoreError::TripChanged`].
        async fn update_trip(
            tx: &mut sqlx::Transaction<'_, Db>,
            t: &Trip,
            from: TripStatus,
        ) -> Result<(), StoreError> {
            let done = sqlx::query(
                "UPDATE transport_bookings SET status = $1, data = $2, updated_at = $3 \
                 WHERE id = $4 AND status = $5",
            )
            .bind(t.status.as_str())
            .bind(encode_doc(t)?)
            .bind(Utc::now())
            .bind(&t.id)
            .bind(from.as_str())
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::TripChanged { id: t.id.clone() });
            }
            Ok(())
        }

        /// Inserts new trip rows in the caller's transaction.
        async fn insert_trip_rows(
            tx: &mut sqlx::Transaction<'_, Db>,
            trips: &[Trip],
        ) -> Result<(), StoreError> {
            let now = Utc::now();
            for t in trips {
                // A run's stop without a rider (a centre, the escorts) has no rider row.
                let rider = Some(t.rider_id.as_str()).filter(|r| !r.is_empty());
                sqlx::query(TRIP_UPSERT)
                    .bind(&t.id)
                    .bind(rider)
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
    };
}

pub(crate) mod sqlite {
    transport_queries!(crate::store::SqliteStore);
}

pub(crate) mod postgres {
    transport_queries!(crate::store::PgStore);
}
