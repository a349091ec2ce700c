import { mount } from "svelte";
import "../styles/base.css";
import Attend from "./Attend.svelte";

mount(Attend, { target: document.getElementById("app")! });
