-- Up Migration

-- Row ids are scoped by organization: the key of every replicated row is (org_id, id), and references between
-- them carry the organization. A command naming another organization's id then behaves exactly like one
-- naming an unused id (a create applies, an update finds nothing): the answer never tells whether the id is
-- taken elsewhere. With `id` alone as the key, a create reusing a foreign id met that hidden row and answered
-- `already_exists`, an existence oracle across tenants.
ALTER TABLE tickets
  DROP CONSTRAINT tickets_order_id_fkey,
  DROP CONSTRAINT tickets_event_id_fkey,
  DROP CONSTRAINT tickets_ticket_type_id_fkey,
  DROP CONSTRAINT tickets_person_id_fkey;
ALTER TABLE orders DROP CONSTRAINT orders_event_id_fkey, DROP CONSTRAINT orders_person_id_fkey;
ALTER TABLE ticket_types DROP CONSTRAINT ticket_types_event_id_fkey;

ALTER TABLE events DROP CONSTRAINT events_pkey, ADD PRIMARY KEY (org_id, id);
ALTER TABLE ticket_types DROP CONSTRAINT ticket_types_pkey, ADD PRIMARY KEY (org_id, id);
ALTER TABLE people DROP CONSTRAINT people_pkey, ADD PRIMARY KEY (org_id, id);
ALTER TABLE orders DROP CONSTRAINT orders_pkey, ADD PRIMARY KEY (org_id, id);
ALTER TABLE tickets DROP CONSTRAINT tickets_pkey, ADD PRIMARY KEY (org_id, id);
-- The snapshot walks each table by (org_id, id): the primary keys serve it now.
DROP INDEX events_org_id, ticket_types_org_id, people_org_id, orders_org_id, tickets_org_id;

-- A reference can only point inside its own organization.
ALTER TABLE ticket_types
  ADD FOREIGN KEY (org_id, event_id) REFERENCES events (org_id, id) ON DELETE CASCADE;
ALTER TABLE orders
  ADD FOREIGN KEY (org_id, event_id) REFERENCES events (org_id, id),
  ADD FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id);
ALTER TABLE tickets
  ADD FOREIGN KEY (org_id, order_id) REFERENCES orders (org_id, id) ON DELETE CASCADE,
  ADD FOREIGN KEY (org_id, event_id) REFERENCES events (org_id, id),
  ADD FOREIGN KEY (org_id, ticket_type_id) REFERENCES ticket_types (org_id, id),
  ADD FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id);

-- Down Migration
-- Going back needs every id to be unique across organizations again; it fails if two organizations share one.
ALTER TABLE tickets
  DROP CONSTRAINT tickets_org_id_order_id_fkey,
  DROP CONSTRAINT tickets_org_id_event_id_fkey,
  DROP CONSTRAINT tickets_org_id_ticket_type_id_fkey,
  DROP CONSTRAINT tickets_org_id_person_id_fkey;
ALTER TABLE orders DROP CONSTRAINT orders_org_id_event_id_fkey, DROP CONSTRAINT orders_org_id_person_id_fkey;
ALTER TABLE ticket_types DROP CONSTRAINT ticket_types_org_id_event_id_fkey;
ALTER TABLE events DROP CONSTRAINT events_pkey, ADD PRIMARY KEY (id);
ALTER TABLE ticket_types DROP CONSTRAINT ticket_types_pkey, ADD PRIMARY KEY (id);
ALTER TABLE people DROP CONSTRAINT people_pkey, ADD PRIMARY KEY (id);
ALTER TABLE orders DROP CONSTRAINT orders_pkey, ADD PRIMARY KEY (id);
ALTER TABLE tickets DROP CONSTRAINT tickets_pkey, ADD PRIMARY KEY (id);
CREATE INDEX events_org_id ON events (org_id, id);
CREATE INDEX ticket_types_org_id ON ticket_types (org_id, id);
CREATE INDEX people_org_id ON people (org_id, id);
CREATE INDEX orders_org_id ON orders (org_id, id);
CREATE INDEX tickets_org_id ON tickets (org_id, id);
ALTER TABLE ticket_types ADD FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE;
ALTER TABLE orders ADD FOREIGN KEY (event_id) REFERENCES events (id), ADD FOREIGN KEY (person_id) REFERENCES people (id);
ALTER TABLE tickets
  ADD FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  ADD FOREIGN KEY (event_id) REFERENCES events (id),
  ADD FOREIGN KEY (ticket_type_id) REFERENCES ticket_types (id),
  ADD FOREIGN KEY (person_id) REFERENCES people (id);
