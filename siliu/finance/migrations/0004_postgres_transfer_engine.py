"""On PostgreSQL, the transfer engine as one PL/pgSQL function: ``siliu_create_transfers``.

It is the same engine as ``siliu.finance.services._evaluate`` (the Python implementation, used on
SQLite), step for step, so that a batch costs one round trip instead of seven: lock the accounts the
batch names (and those of the pending transfers it resolves) in ascending id order, lock the
transfers it refers to, apply the requests in order in memory with linked chains undone as a whole,
then write transfers, entries and counters in one statement (and resolved pending states in a
second, when there are any). It returns one row per request: the result code and, for
``created``/``exists``, the transfer's columns (in no particular order: the caller sorts by item).

Its statements run with generic plans (``plan_cache_mode``): custom plans for the ``= ANY(array)``
statements were re-made on every call and cost more than the work itself.

The caller (Python) checks each request's shape first and passes the code of a shape error in
``e``; such a request is not looked at further, but still takes its place in its linked chain.

Signals to the caller:

- SQLSTATE ``SLRLK``: a pending transfer committed after the accounts were read names accounts not
  locked yet; taking them now would break the ascending order. DETAIL lists the account ids to lock
  on the next attempt (``_Relock`` in Python). The statement, and its locks, are rolled back.
- 23505 ``unique_violation`` on ``finance_transfer``: a concurrent first send of one of the ids won;
  the caller evaluates again and now sees that row.
- 23000 ``integrity_constraint_violation``: a pending transfer resolved twice (a bug, never a race:
  the rows are locked).

The constraints and triggers of 0001 and 0003 check every row this function writes, as they do for
the Python engine. A later change to the engine gets a new migration with ``CREATE OR REPLACE``.
"""

from django.db import migrations

from siliu.core.migration_ops import postgresql_only

FORWARD = r"""
CREATE OR REPLACE FUNCTION siliu_create_transfers(
    p_requests jsonb,
    p_now timestamptz,
    p_created_by bigint,
    p_extra_account_ids bigint[]
) RETURNS TABLE (
    o_item integer,
    o_status text,
    o_id text,
    o_kind text,
    o_debit_account_id bigint,
    o_credit_account_id bigint,
    o_amount_fen bigint,
    o_pending_transfer_id text,
    o_linked boolean,
    o_category text,
    o_reference text,
    o_timeout_seconds integer,
    o_expires_at timestamptz,
    o_state text,
    o_resolved_at timestamptz,
    o_created_by_id bigint,
    o_created_at timestamptz
)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $fn$
#variable_conflict use_column
DECLARE
    v_max CONSTANT bigint := 9223372036854775807;
    v_n integer;
    -- The requests, in order (r_error: the shape error found by the caller).
    r_id text[]; r_debit text[]; r_credit text[]; r_amount bigint[]; r_kind text[]; r_pending text[];
    r_linked boolean[]; r_timeout integer[]; r_category text[]; r_reference text[]; r_error text[];
    -- Only when the batch names one of its own ids again (else NULL, read as false):
    r_seen boolean[];      -- an earlier valid request has the same id
    r_pseen boolean[];     -- an earlier valid request has this request's pending_id as its id
    r_remember boolean[];  -- a later valid request names this id (as id or pending_id)
    -- The locked accounts, ascending id, and where to find one by code or id.
    a_id bigint[]; a_code text[]; a_debit_normal boolean[]; a_allows_negative boolean[];
    a_dp bigint[]; a_cp bigint[]; a_dq bigint[]; a_cq bigint[]; a_touched boolean[];
    v_code_ix jsonb; v_account_ix jsonb;
    -- Transfers: the stored ones read (1..v_stored), then the new ones (v_stored+1..v_nt).
    t_id text[]; t_kind text[]; t_debit_id bigint[]; t_credit_id bigint[]; t_debit_ix integer[];
    t_credit_ix integer[]; t_amount bigint[]; t_pending text[]; t_linked boolean[]; t_category text[];
    t_reference text[]; t_timeout integer[]; t_expires timestamptz[]; t_state text[];
    t_resolved_at timestamptz[]; t_created_by bigint[]; t_created_at timestamptz[];
    t_resolution text[];   -- the state this batch gives a pending transfer
    v_stored integer; v_nt integer; v_resolutions integer := 0;
    v_known_ix jsonb;          -- id -> t_* index of the stored transfers
    v_batch_ix jsonb := '{}';  -- id -> t_* index of new transfers that later requests name
    -- New entries.
    e_account bigint[] := '{}'; e_transfer text[] := '{}'; e_side text[] := '{}';
    e_amount bigint[] := '{}'; e_balance bigint[] := '{}';
    v_ne integer := 0;
    -- Results.
    s_status text[]; s_tix integer[];
    -- Undo log of the current linked chain.
    u_ix integer[]; u_dp bigint[]; u_cp bigint[]; u_dq bigint[]; u_cq bigint[]; v_un integer;
    w_tix integer[]; w_old text[]; v_wn integer;
    v_mark_t integer; v_mark_e integer;
    -- Loop variables.
    v_i integer; v_j integer; v_m integer; v_x integer; v_di integer; v_ci integer; v_amt bigint;
    v_code text; v_state text; v_chained boolean; v_failed integer; v_resolves boolean;
    v_codes text[]; v_ids text[]; v_pids text[]; v_missing bigint[];
BEGIN
    -- Aggregates below take no ORDER BY (on PostgreSQL 15 each would sort on its own): the arrays
    -- of one statement are filled in one pass over the same rows, so they line up with each other;
    -- requests come in the order of the JSON array (a function scan, nothing reorders it), and
    -- the positions of accounts and transfers are read back from the arrays themselves.
    SELECT count(*)::integer,
           array_agg(q.q_id), array_agg(q.q_d), array_agg(q.q_c), array_agg(q.q_a), array_agg(q.q_k),
           array_agg(q.q_p), array_agg(coalesce(q.q_l, false)), array_agg(coalesce(q.q_t, 0)),
           array_agg(coalesce(q.q_g, '')), array_agg(coalesce(q.q_r, '')), array_agg(q.q_e),
           coalesce(array_agg(q.q_d) FILTER (WHERE q.q_e IS NULL AND q.q_d <> ''), '{}')
             || coalesce(array_agg(q.q_c) FILTER (WHERE q.q_e IS NULL AND q.q_c <> ''), '{}'),
           coalesce(array_agg(q.q_id) FILTER (WHERE q.q_e IS NULL), '{}'),
           coalesce(array_agg(q.q_p) FILTER (WHERE q.q_e IS NULL AND q.q_p IS NOT NULL), '{}')
      INTO v_n, r_id, r_debit, r_credit, r_amount, r_kind, r_pending, r_linked, r_timeout, r_category,
           r_reference, r_error, v_codes, v_ids, v_pids
      FROM ROWS FROM (jsonb_to_recordset(p_requests)
                      AS (i text, d text, c text, a bigint, k text, p text, l boolean, t integer,
                          g text, r text, e text))
           AS q(q_id, q_d, q_c, q_a, q_k, q_p, q_l, q_t, q_g, q_r, q_e);

    IF v_pids && v_ids
       OR cardinality(v_ids) > 1 AND cardinality(v_ids) > (SELECT count(DISTINCT x) FROM unnest(v_ids) x) THEN
        -- The batch names its own ids again (a retry within the batch, a pending posted in the batch
        -- that made it): mark where new transfers must be remembered and looked up by id.
        SELECT array_agg(coalesce(f.first_o < q.o, false) ORDER BY q.o),
               array_agg(coalesce(pf.first_o < q.o, false) ORDER BY q.o),
               array_agg(coalesce(f.last_o > q.o, false) OR coalesce(pl.last_o > q.o, false) ORDER BY q.o)
          INTO r_seen, r_pseen, r_remember
          FROM unnest(r_id, r_pending, r_error) WITH ORDINALITY AS q(id, pending_id, error, o)
          LEFT JOIN (SELECT v.id, min(v.o) AS first_o, max(v.o) AS last_o
                       FROM unnest(r_id, r_error) WITH ORDINALITY AS v(id, error, o)
                      WHERE v.error IS NULL GROUP BY v.id) f ON f.id = q.id AND q.error IS NULL
          LEFT JOIN (SELECT v.id, min(v.o) AS first_o
                       FROM unnest(r_id, r_error) WITH ORDINALITY AS v(id, error, o)
                      WHERE v.error IS NULL GROUP BY v.id) pf ON pf.id = q.pending_id AND q.error IS NULL
          LEFT JOIN (SELECT v.pending_id, max(v.o) AS last_o
                       FROM unnest(r_pending, r_error) WITH ORDINALITY AS v(pending_id, error, o)
                      WHERE v.error IS NULL AND v.pending_id IS NOT NULL GROUP BY v.pending_id) pl
                 ON pl.pending_id = q.id AND q.error IS NULL;
    END IF;

    -- One statement locks every account named by code, those of the pending transfers resolved here
    -- (a transfer's accounts never change) and those a previous attempt asked for: ascending id.
    SELECT array_agg(s.id), array_agg(s.code), array_agg(s.type IN ('asset', 'expense')),
           array_agg(s.allows_negative), array_agg(s.debits_posted), array_agg(s.credits_posted),
           array_agg(s.debits_pending), array_agg(s.credits_pending), array_agg(false)
      INTO a_id, a_code, a_debit_normal, a_allows_negative, a_dp, a_cp, a_dq, a_cq, a_touched
      FROM (SELECT fa.id, fa.code, fa.type, fa.allows_negative, fa.debits_posted, fa.credits_posted,
                   fa.debits_pending, fa.credits_pending
              FROM finance_account fa
             WHERE fa.id = ANY (ARRAY(
                       SELECT named.id FROM finance_account named WHERE named.code = ANY (v_codes)
                       UNION SELECT unnest(p_extra_account_ids)
                       UNION SELECT ft.debit_account_id FROM finance_transfer ft WHERE ft.id = ANY (v_pids)
                       UNION SELECT ft.credit_account_id FROM finance_transfer ft WHERE ft.id = ANY (v_pids)))
             ORDER BY fa.id
               FOR UPDATE) s;
    SELECT jsonb_object_agg(u.code, u.ix), jsonb_object_agg(u.id::text, u.ix)
      INTO v_code_ix, v_account_ix
      FROM unnest(a_code, a_id) WITH ORDINALITY AS u(code, id, ix);

    -- Then the transfers the batch names, as ids or pending ids, also in ascending order.
    SELECT count(*)::integer, array_agg(s.id), array_agg(s.kind), array_agg(s.debit_account_id),
           array_agg(s.credit_account_id), array_agg((v_account_ix ->> s.debit_account_id::text)::integer),
           array_agg((v_account_ix ->> s.credit_account_id::text)::integer), array_agg(s.amount_fen),
           array_agg(s.pending_transfer_id), array_agg(s.linked), array_agg(s.category),
           array_agg(s.reference), array_agg(s.timeout_seconds), array_agg(s.expires_at), array_agg(s.state),
           array_agg(s.resolved_at), array_agg(s.created_by_id::bigint), array_agg(s.created_at),
           array_agg(NULL::text),
           array_agg(s.debit_account_id) FILTER (
               WHERE s.id = ANY (v_pids) AND NOT coalesce(v_account_ix ? s.debit_account_id::text, false))
             || array_agg(s.credit_account_id) FILTER (
               WHERE s.id = ANY (v_pids) AND NOT coalesce(v_account_ix ? s.credit_account_id::text, false))
      INTO v_stored, t_id, t_kind, t_debit_id, t_credit_id, t_debit_ix, t_credit_ix, t_amount, t_pending,
           t_linked, t_category, t_reference, t_timeout, t_expires, t_state, t_resolved_at, t_created_by,
           t_created_at, t_resolution, v_missing
      FROM (SELECT ft.* FROM finance_transfer ft
             WHERE ft.id = ANY (v_ids || v_pids)
             ORDER BY ft.id
               FOR UPDATE) s;
    IF v_stored > 0 THEN
        SELECT jsonb_object_agg(u.id, u.ix) INTO v_known_ix FROM unnest(t_id) WITH ORDINALITY AS u(id, ix);
    END IF;

    -- A pending transfer that committed after the accounts were read may name accounts not locked
    -- yet; taking them now would break the ascending order: roll back and start again.
    IF cardinality(v_missing) > 0 THEN
        RAISE EXCEPTION 'siliu_create_transfers: relock'
            USING ERRCODE = 'SLRLK',
                  DETAIL = array_to_string(ARRAY(SELECT DISTINCT unnest(v_missing || a_id)), ',');
    END IF;

    v_nt := v_stored;
    s_status := array_fill(NULL::text, ARRAY[v_n]);
    s_tix := array_fill(NULL::integer, ARRAY[v_n]);

    v_i := 1;
    WHILE v_i <= v_n LOOP
        -- The chain v_i..v_j: a linked request chains to the next.
        v_j := v_i;
        WHILE v_j < v_n AND r_linked[v_j] LOOP
            v_j := v_j + 1;
        END LOOP;
        IF v_j = v_n AND r_linked[v_n] THEN
            FOR v_m IN v_i..v_j LOOP
                s_status[v_m] := 'linked_event_chain_open';
            END LOOP;
            EXIT;
        END IF;
        v_chained := v_j > v_i;
        IF v_chained THEN
            v_mark_t := v_nt; v_mark_e := v_ne; v_un := 0; v_wn := 0;
        END IF;
        v_failed := 0;
        FOR v_m IN v_i..v_j LOOP
            v_code := r_error[v_m];
            IF v_code IS NULL THEN
                v_x := (v_known_ix ->> r_id[v_m])::integer;
                IF v_x IS NULL AND r_seen[v_m] THEN
                    v_x := (v_batch_ix ->> r_id[v_m])::integer;
                END IF;
                IF v_x IS NOT NULL THEN
                    -- A retry: the same fields (omitted optional ones match anything) or an error.
                    IF t_kind[v_x] = r_kind[v_m]
                       AND t_pending[v_x] IS NOT DISTINCT FROM r_pending[v_m]
                       AND t_linked[v_x] = r_linked[v_m]
                       AND t_timeout[v_x] = r_timeout[v_m]
                       AND t_category[v_x] = r_category[v_m]
                       AND t_reference[v_x] = r_reference[v_m]
                       AND (r_amount[v_m] IS NULL OR t_amount[v_x] = r_amount[v_m])
                       AND (r_debit[v_m] IS NULL
                            OR coalesce(a_id[(v_code_ix ->> r_debit[v_m])::integer] = t_debit_id[v_x], false))
                       AND (r_credit[v_m] IS NULL
                            OR coalesce(a_id[(v_code_ix ->> r_credit[v_m])::integer] = t_credit_id[v_x], false))
                    THEN
                        s_status[v_m] := 'exists';
                        s_tix[v_m] := v_x;
                    ELSE
                        v_code := 'exists_with_different_fields';
                    END IF;
                ELSE
                    v_resolves := r_kind[v_m] IN ('post_pending', 'void_pending');
                    IF v_resolves THEN
                        v_x := (v_known_ix ->> r_pending[v_m])::integer;
                        IF v_x IS NULL AND r_pseen[v_m] THEN
                            v_x := (v_batch_ix ->> r_pending[v_m])::integer;
                        END IF;
                        IF v_x IS NULL THEN
                            v_code := 'pending_transfer_not_found';
                        ELSIF t_kind[v_x] <> 'pending' THEN
                            v_code := 'pending_transfer_not_pending';
                        ELSE
                            v_di := t_debit_ix[v_x];
                            v_ci := t_credit_ix[v_x];
                            v_state := coalesce(t_resolution[v_x], t_state[v_x]);
                            IF r_debit[v_m] IS NOT NULL AND r_debit[v_m] <> a_code[v_di] THEN
                                v_code := 'pending_transfer_has_different_debit_account';
                            ELSIF r_credit[v_m] IS NOT NULL AND r_credit[v_m] <> a_code[v_ci] THEN
                                v_code := 'pending_transfer_has_different_credit_account';
                            ELSIF v_state = 'posted' THEN
                                v_code := 'pending_transfer_already_posted';
                            ELSIF v_state = 'voided' THEN
                                v_code := 'pending_transfer_already_voided';
                            ELSIF v_state = 'expired' OR t_expires[v_x] <= p_now THEN
                                v_code := 'pending_transfer_expired';
                            ELSIF r_kind[v_m] = 'post_pending' THEN
                                v_amt := coalesce(r_amount[v_m], t_amount[v_x]);
                                IF v_amt > t_amount[v_x] THEN
                                    v_code := 'exceeds_pending_transfer_amount';
                                ELSIF a_dp[v_di] > v_max - v_amt OR a_cp[v_ci] > v_max - v_amt THEN
                                    v_code := 'overflows_account';
                                END IF;
                            ELSE
                                v_amt := t_amount[v_x];
                                IF r_amount[v_m] IS NOT NULL AND r_amount[v_m] <> t_amount[v_x] THEN
                                    v_code := 'pending_transfer_has_different_amount';
                                END IF;
                            END IF;
                        END IF;
                    ELSE
                        v_di := (v_code_ix ->> r_debit[v_m])::integer;
                        v_ci := (v_code_ix ->> r_credit[v_m])::integer;
                        v_amt := r_amount[v_m];
                        IF v_di IS NULL THEN
                            v_code := 'debit_account_not_found';
                        ELSIF v_ci IS NULL THEN
                            v_code := 'credit_account_not_found';
                        -- Only the side that lowers a balance is limited (see the ADR's sign table):
                        -- debits + pending debits + amount > credits, written so that it cannot
                        -- overflow (on such an account credits >= debits + pending debits always).
                        ELSIF NOT a_allows_negative[v_di] AND NOT a_debit_normal[v_di]
                              AND v_amt > a_cp[v_di] - a_dp[v_di] - a_dq[v_di] THEN
                            v_code := 'exceeds_credits';
                        ELSIF NOT a_allows_negative[v_ci] AND a_debit_normal[v_ci]
                              AND v_amt > a_dp[v_ci] - a_cp[v_ci] - a_cq[v_ci] THEN
                            v_code := 'exceeds_debits';
                        ELSIF r_kind[v_m] = 'pending'
                              AND (a_dq[v_di] > v_max - v_amt OR a_cq[v_ci] > v_max - v_amt) THEN
                            v_code := 'overflows_account';
                        ELSIF r_kind[v_m] <> 'pending'
                              AND (a_dp[v_di] > v_max - v_amt OR a_cp[v_ci] > v_max - v_amt) THEN
                            v_code := 'overflows_account';
                        END IF;
                    END IF;

                    IF v_code IS NULL THEN
                        -- Every check has passed: apply. Only a chain needs an undo log.
                        IF v_chained THEN
                            v_un := v_un + 1;
                            u_ix[v_un] := v_di; u_dp[v_un] := a_dp[v_di]; u_cp[v_un] := a_cp[v_di];
                            u_dq[v_un] := a_dq[v_di]; u_cq[v_un] := a_cq[v_di];
                            v_un := v_un + 1;
                            u_ix[v_un] := v_ci; u_dp[v_un] := a_dp[v_ci]; u_cp[v_un] := a_cp[v_ci];
                            u_dq[v_un] := a_dq[v_ci]; u_cq[v_un] := a_cq[v_ci];
                        END IF;
                        a_touched[v_di] := true;
                        a_touched[v_ci] := true;
                        IF v_resolves THEN
                            a_dq[v_di] := a_dq[v_di] - t_amount[v_x];
                            a_cq[v_ci] := a_cq[v_ci] - t_amount[v_x];
                            IF v_chained THEN
                                v_wn := v_wn + 1;
                                w_tix[v_wn] := v_x;
                                w_old[v_wn] := t_resolution[v_x];
                            END IF;
                            v_resolutions := v_resolutions + 1;
                            t_resolution[v_x] := CASE WHEN r_kind[v_m] = 'post_pending'
                                                      THEN 'posted' ELSE 'voided' END;
                        ELSIF r_kind[v_m] = 'pending' THEN
                            a_dq[v_di] := a_dq[v_di] + v_amt;
                            a_cq[v_ci] := a_cq[v_ci] + v_amt;
                        END IF;
                        IF r_kind[v_m] <> 'pending' AND r_kind[v_m] <> 'void_pending' THEN
                            a_dp[v_di] := a_dp[v_di] + v_amt;
                            a_cp[v_ci] := a_cp[v_ci] + v_amt;
                            v_ne := v_ne + 1;
                            e_account[v_ne] := a_id[v_di]; e_transfer[v_ne] := r_id[v_m];
                            e_side[v_ne] := 'debit'; e_amount[v_ne] := v_amt;
                            e_balance[v_ne] := CASE WHEN a_debit_normal[v_di] THEN a_dp[v_di] - a_cp[v_di]
                                                    ELSE a_cp[v_di] - a_dp[v_di] END;
                            v_ne := v_ne + 1;
                            e_account[v_ne] := a_id[v_ci]; e_transfer[v_ne] := r_id[v_m];
                            e_side[v_ne] := 'credit'; e_amount[v_ne] := v_amt;
                            e_balance[v_ne] := CASE WHEN a_debit_normal[v_ci] THEN a_dp[v_ci] - a_cp[v_ci]
                                                    ELSE a_cp[v_ci] - a_dp[v_ci] END;
                        END IF;
                        v_nt := v_nt + 1;
                        t_id[v_nt] := r_id[v_m];
                        t_kind[v_nt] := r_kind[v_m];
                        t_debit_id[v_nt] := a_id[v_di];
                        t_credit_id[v_nt] := a_id[v_ci];
                        t_debit_ix[v_nt] := v_di;
                        t_credit_ix[v_nt] := v_ci;
                        t_amount[v_nt] := v_amt;
                        t_pending[v_nt] := CASE WHEN v_resolves THEN t_id[v_x] END;
                        t_linked[v_nt] := r_linked[v_m];
                        t_category[v_nt] := r_category[v_m];
                        t_reference[v_nt] := r_reference[v_m];
                        t_timeout[v_nt] := r_timeout[v_m];
                        t_expires[v_nt] := CASE WHEN r_kind[v_m] = 'pending' AND r_timeout[v_m] <> 0
                                                THEN p_now + make_interval(secs => r_timeout[v_m]) END;
                        t_state[v_nt] := CASE WHEN r_kind[v_m] = 'pending' THEN 'pending' ELSE '' END;
                        t_resolved_at[v_nt] := NULL;
                        t_created_by[v_nt] := p_created_by;
                        t_created_at[v_nt] := p_now;
                        t_resolution[v_nt] := NULL;
                        IF r_remember[v_m] THEN
                            v_batch_ix := v_batch_ix || jsonb_build_object(r_id[v_m], v_nt);
                        END IF;
                        s_status[v_m] := 'created';
                        s_tix[v_m] := v_nt;
                    END IF;
                END IF;
            END IF;
            IF v_code IS NOT NULL THEN
                v_failed := v_m;
                s_status[v_m] := v_code;
                s_tix[v_m] := NULL;
                EXIT;
            END IF;
        END LOOP;

        IF v_failed > 0 AND v_chained THEN
            -- Undo the chain: counters, pending resolutions, new transfers and entries.
            FOR v_m IN REVERSE v_un..1 LOOP
                a_dp[u_ix[v_m]] := u_dp[v_m]; a_cp[u_ix[v_m]] := u_cp[v_m];
                a_dq[u_ix[v_m]] := u_dq[v_m]; a_cq[u_ix[v_m]] := u_cq[v_m];
            END LOOP;
            FOR v_m IN REVERSE v_wn..1 LOOP
                t_resolution[w_tix[v_m]] := w_old[v_m];
            END LOOP;
            v_resolutions := v_resolutions - v_wn;
            IF v_nt > v_mark_t THEN
                v_batch_ix := v_batch_ix - t_id[v_mark_t + 1:v_nt];
            END IF;
            v_nt := v_mark_t;
            v_ne := v_mark_e;
            FOR v_m IN v_i..v_j LOOP
                IF v_m <> v_failed THEN
                    s_status[v_m] := 'linked_event_failed';
                    s_tix[v_m] := NULL;
                END IF;
            END LOOP;
        END IF;
        v_i := v_j + 1;
    END LOOP;

    -- Write once: transfers, entries and counters in one statement, then resolved pending states
    -- (after the insert, as a pending transfer made in this batch may be resolved in it too).
    WITH new_transfers AS (
        INSERT INTO finance_transfer (
            id, kind, debit_account_id, credit_account_id, amount_fen, pending_transfer_id, linked,
            category, reference, timeout_seconds, expires_at, state, resolved_at, created_by_id, created_at
        )
        SELECT n.id, n.kind, n.debit_account_id, n.credit_account_id, n.amount_fen, n.pending_transfer_id,
               n.linked, n.category, n.reference, n.timeout_seconds, n.expires_at, n.state, NULL,
               p_created_by, p_now
          FROM unnest(t_id[v_stored + 1:v_nt], t_kind[v_stored + 1:v_nt], t_debit_id[v_stored + 1:v_nt],
                      t_credit_id[v_stored + 1:v_nt], t_amount[v_stored + 1:v_nt],
                      t_pending[v_stored + 1:v_nt], t_linked[v_stored + 1:v_nt],
                      t_category[v_stored + 1:v_nt], t_reference[v_stored + 1:v_nt],
                      t_timeout[v_stored + 1:v_nt], t_expires[v_stored + 1:v_nt], t_state[v_stored + 1:v_nt])
               AS n(id, kind, debit_account_id, credit_account_id, amount_fen, pending_transfer_id, linked,
                    category, reference, timeout_seconds, expires_at, state)
    ), new_entries AS (
        INSERT INTO finance_entry (account_id, transfer_id, side, amount_fen, balance_fen, created_at)
        SELECT n.account_id, n.transfer_id, n.side, n.amount_fen, n.balance_fen, p_now
          FROM unnest(e_account[1:v_ne], e_transfer[1:v_ne], e_side[1:v_ne], e_amount[1:v_ne],
                      e_balance[1:v_ne]) AS n(account_id, transfer_id, side, amount_fen, balance_fen)
    )
    UPDATE finance_account fa
       SET debits_posted = n.dp, credits_posted = n.cp, debits_pending = n.dq, credits_pending = n.cq
      FROM unnest(a_id, a_dp, a_cp, a_dq, a_cq, a_touched) AS n(id, dp, cp, dq, cq, touched)
     WHERE n.touched AND fa.id = n.id;
    IF v_resolutions > 0 THEN
        UPDATE finance_transfer ft
           SET state = n.state, resolved_at = p_now
          FROM unnest(t_id[1:v_nt], t_resolution[1:v_nt]) AS n(id, state)
         WHERE n.state IS NOT NULL AND ft.id = n.id AND ft.state = 'pending';
        GET DIAGNOSTICS v_i = ROW_COUNT;
        IF v_i <> v_resolutions THEN  -- the rows are locked: this is a bug, not a race
            RAISE EXCEPTION 'pending transfer resolved twice'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;

    RETURN QUERY
    SELECT s.o::integer, s.status, t_id[s.tix], t_kind[s.tix], t_debit_id[s.tix], t_credit_id[s.tix],
           t_amount[s.tix], t_pending[s.tix], t_linked[s.tix], t_category[s.tix], t_reference[s.tix],
           t_timeout[s.tix], t_expires[s.tix], t_state[s.tix], t_resolved_at[s.tix], t_created_by[s.tix],
           t_created_at[s.tix]
      FROM unnest(s_status, s_tix) WITH ORDINALITY AS s(status, tix, o);
END
$fn$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS siliu_create_transfers(jsonb, timestamptz, bigint, bigint[]);
"""


class Migration(migrations.Migration):
    dependencies = [("finance", "0003_postgres_history_guards")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
