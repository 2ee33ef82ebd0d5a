// Calls the compiler must reject: each `@ts-expect-error` fails the check if its line compiles.
import { AllTypes } from "../all_types.js";
import { HelloWorld } from "../hello_world.js";

const model = new AllTypes();
const hello = new HelloWorld();

export async function wrongCalls(): Promise<void> {
  // A literal outside the choices ("low" | "medium" | "high").
  // @ts-expect-error
  await model.tuned("hi", { effort: "extreme" });
  // A required argument missing.
  // @ts-expect-error
  await hello.predict();
  // An option of the wrong type.
  // @ts-expect-error
  await hello.predict("hi", { numberOfLetters: "3" });
  // A misspelt option.
  // @ts-expect-error
  await hello.predict("hi", { numberOfLeters: 3 });
  // The wire name is not the TypeScript name.
  // @ts-expect-error
  await hello.predict("hi", { number_of_letters: 3 });
  // A result of the wrong type.
  // @ts-expect-error
  const n: number = await hello.predict("hi");
  // A stream is not a promise.
  // @ts-expect-error
  await hello.generate().then();
  // A batch item without its required argument.
  // @ts-expect-error
  await hello.predictBatch([{ numberOfLetters: 3 }]);
  void n;
}

export async function rightCalls(): Promise<string[]> {
  const tuned = await model.tuned("hi", { effort: "high", topK: 5 });
  const out: string[] = [tuned.text];
  out.push(await hello.predict("hi", { numberOfLetters: 3 }));
  for await (const item of hello.generate({ prompt: "hi" })) out.push(item);
  out.push(...(await hello.predictBatch([{ prompt: "a" }, { prompt: "b" }])));
  const pair = [1, "x"] as const;
  const result = await model.containers(["a"], [[1]], pair, [], []);
  out.push(result.label);
  return out;
}
