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
    case "room.updated": {
      if (!isObject(data) || typeof data.id !== "number") return state;
      const room = data as Room;
      return { ...state, rooms: (state.rooms ?? []).map((existing) => (existing.id === room.id ? room : existing)) };
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
