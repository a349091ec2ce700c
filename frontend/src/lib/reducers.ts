// Pure state updates from pushed events: the programme's here, the questions' (qa.ts), the
// polls' (polls.ts), the notes' (backstage.ts) and the reactions' (reactions.ts) beside their views, and reduceLive, which
// every page's client applies.
// Reducers return a new object when something changed and the same object otherwise, so the
// live client can skip store updates for events a page does not care about.
import { reduceNotes } from "./backstage";
import { reducePolls } from "./polls";
import { sortedSessions } from "./programme";
import { reduceQuestions } from "./qa";
import { reduceReactions } from "./reactions";
import type { LiveState, PushedEvent, Room, Session } from "./types";
import { isObject } from "./values";

/** The rooms' order, as the server lists them. */
function byRoomOrder(a: Room, b: Room): number {
  return a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || a.id - b.id;
}

/** The event, its sessions and the participant's own record. */
export function reduceProgramme(state: LiveState, event: PushedEvent): LiveState {
  const data = event.data;
  switch (event.type) {
    case "session.updated": {
      if (!isObject(data) || typeof data.id !== "number") return state;
      const session = data as Session;
      const others = state.sessions.filter((existing) => existing.id !== session.id);
      return { ...state, sessions: sortedSessions([...others, session]) };
    }
    case "session.removed": {
      // Deleted by an organiser: it leaves the programme, with whatever a page held of it.
      if (!isObject(data) || typeof data.id !== "number") return state;
      const id = data.id;
      if (!state.sessions.some((session) => session.id === id)) return state;
      const reactions = { ...state.reactions };
      delete reactions[String(id)];
      return {
        ...state,
        sessions: state.sessions.filter((session) => session.id !== id),
        questions: state.questions?.filter((question) => question.session !== id),
        notes: state.notes?.filter((note) => note.session !== id),
        reactions,
      };
    }
    case "room.updated": {
      // A room changed, or is new (added on the organiser pages): kept in the rooms' order.
      if (!isObject(data) || typeof data.id !== "number") return state;
      const room = data as Room;
      const others = (state.rooms ?? []).filter((existing) => existing.id !== room.id);
      return { ...state, rooms: [...others, room].sort(byRoomOrder) };
    }
    case "room.removed": {
      if (!isObject(data) || typeof data.slug !== "string") return state;
      const slug = data.slug;
      if (!state.rooms?.some((room) => room.slug === slug)) return state;
      return { ...state, rooms: state.rooms.filter((room) => room.slug !== slug) };
    }
    case "event.updated":
      if (!isObject(data)) return state;
      return { ...state, event: data as LiveState["event"] };
    case "participant.updated":
      if (!isObject(data) || typeof data.id !== "string") return state;
      return { ...state, you: { ...state.you, participant: data as LiveState["you"]["participant"] } };
    default:
      return state;
  }
}

/** The reducer of every page: the programme, then the questions, the polls, the backstage notes, the reactions. */
export function reduceLive(state: LiveState, event: PushedEvent): LiveState {
  return reduceReactions(reduceNotes(reducePolls(reduceQuestions(reduceProgramme(state, event), event), event), event), event);
}
