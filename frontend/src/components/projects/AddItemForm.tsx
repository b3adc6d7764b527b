/** Add an item to a project: one of your uploads (its material id) or a known compound. */
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorBox } from "../common/Status";
import { addItem } from "./projectApi";

/** "12" or "#12" → {material_id: 12}; anything else is a formula. */
export function parseItemInput(text: string): { material_id: number } | { formula: string } | null {
  const t = text.trim();
  if (!t) return null;
  const id = /^#?(\d+)$/.exec(t);
  return id ? { material_id: Number(id[1]) } : { formula: t };
}

export function AddItemForm({ projectId, onAdded }: { projectId: number; onAdded: () => void }) {
  const [text, setText] = useState("");
  const add = useMutation({
    mutationFn: (what: { material_id: number } | { formula: string }) => addItem(projectId, what),
    onSuccess: () => {
      setText("");
      onAdded();
    },
  });
  return (
    <>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const what = parseItemInput(text);
          if (what) add.mutate(what);
        }}
      >
        <label className="inline">
          Material id or formula
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="e.g. 42 or ZnO"
            data-testid="add-item-input"
          />
        </label>
        <button type="submit" disabled={!text.trim() || add.isPending}>
          Add to project
        </button>
      </form>
      <p className="muted small">
        A number is one of your uploaded materials (its id); a formula must be a known compound.
      </p>
      {add.isError && <ErrorBox error={add.error} />}
    </>
  );
}
