import { useId, type ReactNode } from 'react';

/**
 * A labelled select. The label is beside the select, not around it: a select inside its label would give
 * it a name that runs on into its options ("Label any Newsletter …").
 */
export function SelectField({
  label,
  value,
  onChange,
  children,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <div className="select-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </div>
  );
}
