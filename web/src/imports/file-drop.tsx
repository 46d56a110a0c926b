import { useState, type DragEvent } from 'react';
import { formatBytes } from '../ui/format';

/** Pick a file with the button (a real file input, so the keyboard reaches it) or drop it on the area. */
export function FileDrop({ file, onFile }: { file: File | null; onFile: (file: File) => void }) {
  const [over, setOver] = useState(false);
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const dropped = e.dataTransfer.files[0];
    if (dropped) onFile(dropped);
  };
  return (
    <fieldset className="file-step">
      <legend>
        <span className="step">2</span> The CSV file
      </legend>
      <div
        className={`drop${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
      >
        <input
          id="file"
          type="file"
          accept=".csv,.txt,text/csv,text/plain"
          className="visually-hidden"
          onChange={(e) => {
            const picked = e.target.files?.[0];
            // Cleared, so picking the same file again (after fixing it) is a change too.
            e.target.value = '';
            if (picked) onFile(picked);
          }}
        />
        <label htmlFor="file" className="button">
          {file ? 'Choose another file' : 'Choose a CSV file'}
        </label>
        <span> or drop it here.</span>
        {file ? (
          <p className="chosen-file">
            <strong>{file.name}</strong> ({formatBytes(file.size)})
          </p>
        ) : (
          <p className="muted">
            UTF-8, comma-separated, with a header row. It is checked at once; nothing changes yet.
          </p>
        )}
      </div>
    </fieldset>
  );
}
