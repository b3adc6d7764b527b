/** An item's notes (author and time) and a form to add one. */
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useAuth } from "../../auth/AuthGate";
import { ErrorBox } from "../common/Status";
import { addNote, type Note } from "./projectApi";

/** "you", "user #3" or "local user": who wrote a note. */
export function authorName(authorId: number | null, me: { id: number; email: string } | null) {
  if (authorId === null) return "unknown author";
  if (me && me.id === authorId) return me.email;
  return `user #${authorId}`;
}

export function ItemNotes({
  projectId,
  itemId,
  formula,
  notes,
  onAdded,
}: {
  projectId: number;
  itemId: number;
  formula: string;
  notes: Note[];
  onAdded: () => void;
}) {
  const { me } = useAuth();
  const [text, setText] = useState("");
  const add = useMutation({
    mutationFn: () => addNote(projectId, itemId, text.trim()),
    onSuccess: () => {
      setText("");
      onAdded();
    },
  });
  return (
    <details className="item-notes">
      <summary>
        {notes.length === 0 ? "Add note" : `${notes.length} note${notes.length === 1 ? "" : "s"}`}
      </summary>
      <ul>
        {notes.map((n) => (
          <li key={n.id} data-testid="note">
            <p>{n.text}</p>
            <span className="muted small">
              {authorName(n.author_id, me?.user ?? null)},{" "}
              <time dateTime={n.created_at}>{new Date(n.created_at).toLocaleString()}</time>
            </span>
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) add.mutate();
        }}
      >
        <label className="sr-only" htmlFor={`note-${itemId}`}>
          Note on {formula}
        </label>
        <textarea
          id={`note-${itemId}`}
          value={text}
          rows={2}
          maxLength={5000}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="small" disabled={!text.trim() || add.isPending}>
          Save note
        </button>
      </form>
      {add.isError && <ErrorBox error={add.error} />}
    </details>
  );
}
