import type { Insertable } from 'kysely';
import { dialectOf, type Db } from '../../db/dialect.js';
import type { FieldType, ImportRowLabelTable, ImportRowValueTable } from '../../db/schema.js';
import { foldCase } from '../../domain/text.js';

/** A column the workspace defines beside a kind's own (a contact custom field: its variable). */
export interface ExtraColumn {
  name: string;
  id: number;
  type: FieldType;
}

/** A label a row names, by name or by id; `ref` null: the row replaces the contact's labels with none. */
export interface StagedLabel {
  ref: string | null;
  byId: boolean;
}

/** A checked custom field value in its stored form; '' clears the field. */
export interface StagedFieldValue {
  fieldId: number;
  value: string;
}

/** What a row stages beside import_rows (contacts: labels and custom field values). */
export interface StagedLabelsAndValues {
  labels: readonly StagedLabel[];
  values: readonly StagedFieldValue[];
}

/** The side rows of one chunk of staged rows, written with that chunk (same transaction). */
export class LabelsAndValuesChunk {
  private labels: Insertable<ImportRowLabelTable>[] = [];
  private values: Insertable<ImportRowValueTable>[] = [];

  add(runId: number, rowNo: number, staged: StagedLabelsAndValues | undefined): void {
    if (!staged) return;
    staged.labels.forEach((l, seq) =>
      this.labels.push({
        run_id: runId,
        row_no: rowNo,
        seq,
        label_ref: l.ref,
        label_ci: l.ref === null ? null : foldCase(l.ref),
        by_id: l.byId ? 1 : 0,
      }),
    );
    for (const v of staged.values) {
      this.values.push({ run_id: runId, row_no: rowNo, field_id: v.fieldId, value: v.value });
    }
  }

  get empty(): boolean {
    return this.labels.length === 0 && this.values.length === 0;
  }

  /** Multi-row inserts, each under the database's parameter limit. */
  async insert(db: Db): Promise<void> {
    const { maxParams } = dialectOf(db);
    const labelRows = Math.floor(maxParams / 6);
    for (let i = 0; i < this.labels.length; i += labelRows) {
      await db
        .insertInto('import_row_labels')
        .values(this.labels.slice(i, i + labelRows))
        .execute();
    }
    const valueRows = Math.floor(maxParams / 4);
    for (let i = 0; i < this.values.length; i += valueRows) {
      await db
        .insertInto('import_row_values')
        .values(this.values.slice(i, i + valueRows))
        .execute();
    }
  }
}

/** Deletes a run's side rows (with its staged rows: a rejected file, or staging started again on resume). */
export async function deleteLabelsAndValues(db: Db, runId: number): Promise<void> {
  await db.deleteFrom('import_row_labels').where('run_id', '=', runId).execute();
  await db.deleteFrom('import_row_values').where('run_id', '=', runId).execute();
}
