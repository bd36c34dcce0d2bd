"""On PostgreSQL, writing a placed order as one PL/pgSQL function: ``siliu_place_order``.

It is the same writer as ``siliu.commerce.order_writers.order_write_python`` (the Python engine, used
on SQLite), step for step, so that an order costs one round trip instead of about fifteen and holds
its locks only while the function runs:

0. if the placer already placed an order with this ``idempotency_key``, return its id
   (``existing_id``) and do nothing else;
1. lock the products (``stock``: product ids with quantities) in ascending id order, refusing the
   first one that is inactive or whose seller is not verified (``product_unavailable``, DETAIL its
   id) or that holds less than asked (``insufficient_stock``, DETAIL ``id,stock``); take the stock;
2. insert the order, its lines and its events;
3. issue S10 numbers to the parcels that have none — logistics products in ascending id order, each
   product's parcels in the order given, from the first range with room onwards, the range row
   locked — (``tracking_numbers_exhausted``, DETAIL the product id); insert the parcels, their
   ``created`` events (``event_id`` = number || the suffix the caller gives) and the shipments
   (the i-th shipment is the i-th parcel's);
4. book the escrow ``hold`` with ``siliu_create_transfers``; any result but ``created`` is refused
   with the ledger's code (``exceeds_credits``…).

Rows arrive as JSON objects keyed by column name (every column but ``id``) and are inserted with
``jsonb_populate_record``, so a column added to one of these tables needs no change here as long as
the Python side fills it. Ids are drawn from each table's sequence in the order of the arrays.
Refusals are raised with SQLSTATE ``SLORD``, MESSAGE the code: the statement, and everything it
wrote and locked, is undone. It returns the ids written and the numbers issued as JSON.

A later change to the writer gets a new migration with ``CREATE OR REPLACE``.
"""

from django.db import migrations

from siliu.core.migration_ops import postgresql_only

FORWARD = r"""
CREATE OR REPLACE FUNCTION siliu_s10_format(p_indicator text, p_serial integer, p_country text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $fn$
DECLARE
    v_digits text := lpad(p_serial::text, 8, '0');
    v_weights integer[] := ARRAY[8, 6, 4, 2, 3, 5, 9, 7];
    v_total integer := 0;
    v_check integer;
BEGIN
    FOR i IN 1 .. 8 LOOP
        v_total := v_total + substr(v_digits, i, 1)::integer * v_weights[i];
    END LOOP;
    v_check := 11 - v_total % 11;
    IF v_check = 10 THEN
        v_check := 0;
    ELSIF v_check = 11 THEN
        v_check := 5;
    END IF;
    RETURN p_indicator || v_digits || v_check::text || p_country;
END
$fn$;

CREATE OR REPLACE FUNCTION siliu_next_ids(p_table text, p_count integer) RETURNS bigint[]
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_sequence text := pg_get_serial_sequence(p_table, 'id');
    v_ids bigint[] := '{}';
BEGIN
    FOR i IN 1 .. p_count LOOP
        v_ids := v_ids || nextval(v_sequence);
    END LOOP;
    RETURN v_ids;
END
$fn$;

CREATE OR REPLACE FUNCTION siliu_place_order(p jsonb) RETURNS jsonb
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_now timestamptz := (p->>'now')::timestamptz;
    v_line record;
    v_product record;
    v_key text := p->'order'->>'idempotency_key';
    v_existing bigint;
    v_order_id bigint;
    v_line_ids bigint[];
    v_event_ids bigint[];
    v_parcel_ids bigint[];
    v_parcel_event_ids bigint[];
    v_shipment_ids bigint[];
    v_numbers text[] := ARRAY(SELECT e->>'tracking_number' FROM jsonb_array_elements(p->'parcels') AS e);
    v_group record;
    v_range record;
    v_given integer;
    v_take integer;
    v_status text;
BEGIN
    -- 0. An order this placer already placed with this key: nothing to do.
    IF v_key <> '' THEN
        SELECT id INTO v_existing FROM commerce_order
         WHERE placed_by_id = (p->'order'->>'placed_by_id')::bigint AND idempotency_key = v_key;
        IF FOUND THEN
            RETURN jsonb_build_object('existing_id', v_existing);
        END IF;
    END IF;

    -- 1. The stock, under lock, product by product in ascending id order.
    FOR v_line IN
        SELECT q.product_id, q.quantity
          FROM jsonb_to_recordset(p->'stock') AS q(product_id bigint, quantity integer)
         ORDER BY q.product_id
    LOOP
        SELECT pr.stock, pr.is_active, s.status AS seller_status INTO v_product
          FROM commerce_product pr JOIN commerce_seller s ON s.id = pr.seller_id
         WHERE pr.id = v_line.product_id
           FOR UPDATE OF pr;
        IF NOT FOUND OR NOT v_product.is_active OR v_product.seller_status <> 'verified' THEN
            RAISE EXCEPTION 'product_unavailable' USING ERRCODE = 'SLORD', DETAIL = v_line.product_id::text;
        END IF;
        IF v_product.stock < v_line.quantity THEN
            RAISE EXCEPTION 'insufficient_stock'
                USING ERRCODE = 'SLORD', DETAIL = v_line.product_id::text || ',' || v_product.stock::text;
        END IF;
    END LOOP;
    UPDATE commerce_product pr SET stock = pr.stock - q.quantity
      FROM jsonb_to_recordset(p->'stock') AS q(product_id bigint, quantity integer)
     WHERE pr.id = q.product_id;

    -- 2. The order, its lines and events.
    v_order_id := (siliu_next_ids('commerce_order', 1))[1];
    v_line_ids := siliu_next_ids('commerce_orderline', jsonb_array_length(p->'lines'));
    v_event_ids := siliu_next_ids('commerce_orderevent', jsonb_array_length(p->'events'));
    INSERT INTO commerce_order
    SELECT * FROM jsonb_populate_record(NULL::commerce_order, p->'order' || jsonb_build_object('id', v_order_id));
    INSERT INTO commerce_orderline
    SELECT r.* FROM jsonb_array_elements(p->'lines') WITH ORDINALITY AS e(j, n),
           LATERAL jsonb_populate_record(NULL::commerce_orderline,
               e.j || jsonb_build_object('id', v_line_ids[e.n], 'order_id', v_order_id)) AS r;
    INSERT INTO commerce_orderevent
    SELECT r.* FROM jsonb_array_elements(p->'events') WITH ORDINALITY AS e(j, n),
           LATERAL jsonb_populate_record(NULL::commerce_orderevent,
               e.j || jsonb_build_object('id', v_event_ids[e.n], 'order_id', v_order_id)) AS r;

    -- 3. Numbers, parcels, their events, shipments.
    FOR v_group IN
        SELECT (e.j->>'product_id')::bigint AS product_id, array_agg(e.n::integer ORDER BY e.n) AS items
          FROM jsonb_array_elements(p->'parcels') WITH ORDINALITY AS e(j, n)
         WHERE coalesce(e.j->>'tracking_number', '') = ''
         GROUP BY 1
         ORDER BY 1
    LOOP
        v_given := 0;
        WHILE v_given < cardinality(v_group.items) LOOP
            SELECT * INTO v_range FROM logistics_trackingrange
             WHERE product_id = v_group.product_id AND next_serial <= last_serial
             ORDER BY service_indicator, first_serial
             LIMIT 1
               FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'tracking_numbers_exhausted'
                    USING ERRCODE = 'SLORD', DETAIL = v_group.product_id::text;
            END IF;
            v_take := least(cardinality(v_group.items) - v_given, v_range.last_serial - v_range.next_serial + 1);
            UPDATE logistics_trackingrange SET next_serial = next_serial + v_take WHERE id = v_range.id;
            FOR i IN 0 .. v_take - 1 LOOP
                v_numbers[v_group.items[v_given + i + 1]] :=
                    siliu_s10_format(v_range.service_indicator, v_range.next_serial + i, v_range.country_code);
            END LOOP;
            v_given := v_given + v_take;
        END LOOP;
    END LOOP;
    v_parcel_ids := siliu_next_ids('logistics_parcel', jsonb_array_length(p->'parcels'));
    v_shipment_ids := siliu_next_ids('commerce_shipment', jsonb_array_length(p->'shipments'));
    INSERT INTO logistics_parcel
    SELECT r.* FROM jsonb_array_elements(p->'parcels') WITH ORDINALITY AS e(j, n),
           LATERAL jsonb_populate_record(NULL::logistics_parcel,
               e.j || jsonb_build_object('id', v_parcel_ids[e.n], 'tracking_number', v_numbers[e.n])) AS r;
    v_parcel_event_ids := siliu_next_ids('logistics_parcelevent', jsonb_array_length(p->'parcel_events'));
    INSERT INTO logistics_parcelevent
    SELECT r.* FROM jsonb_array_elements(p->'parcel_events') WITH ORDINALITY AS e(j, n),
           LATERAL jsonb_populate_record(NULL::logistics_parcelevent,
               e.j || jsonb_build_object('id', v_parcel_event_ids[e.n], 'parcel_id', v_parcel_ids[e.n],
                                         'event_id', v_numbers[e.n] || (e.j->>'event_id'))) AS r;
    INSERT INTO commerce_shipment
    SELECT r.* FROM jsonb_array_elements(p->'shipments') WITH ORDINALITY AS e(j, n),
           LATERAL jsonb_populate_record(NULL::commerce_shipment,
               e.j || jsonb_build_object('id', v_shipment_ids[e.n], 'order_id', v_order_id,
                                         'parcel_id', v_parcel_ids[e.n])) AS r;

    -- 4. The escrow.
    SELECT t.o_status INTO v_status
      FROM siliu_create_transfers(jsonb_build_array(p->'hold'), v_now, (p->>'created_by')::bigint,
                                  '{}'::bigint[]) AS t;
    IF v_status <> 'created' THEN
        RAISE EXCEPTION '%', v_status USING ERRCODE = 'SLORD';
    END IF;

    RETURN jsonb_build_object(
        'order_id', v_order_id,
        'line_ids', to_jsonb(v_line_ids),
        'event_ids', to_jsonb(v_event_ids),
        'parcel_ids', to_jsonb(v_parcel_ids),
        'numbers', to_jsonb(v_numbers),
        'shipment_ids', to_jsonb(v_shipment_ids));
END
$fn$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS siliu_place_order(jsonb);
DROP FUNCTION IF EXISTS siliu_next_ids(text, integer);
DROP FUNCTION IF EXISTS siliu_s10_format(text, integer, text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("commerce", "0001_orders"),
        ("finance", "0004_postgres_transfer_engine"),
        ("logistics", "0005_round_planning"),
    ]

    operations = [postgresql_only(FORWARD, BACKWARD)]
