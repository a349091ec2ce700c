// The reactions' pictures (Noto Emoji, Apache 2.0; see src/assets/reactions/README.md): the same
// on every device, whatever emoji font it has or lacks.
import applause from "../assets/reactions/applause.svg";
import laugh from "../assets/reactions/laugh.svg";
import like from "../assets/reactions/like.svg";
import love from "../assets/reactions/love.svg";
import think from "../assets/reactions/think.svg";
import type { ReactionKind } from "./reactions";

export const REACTION_ICONS: Record<ReactionKind, string> = { applause, like, love, laugh, think };
