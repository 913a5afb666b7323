/// <reference types="vite/client" />
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const c: DefineComponent<object, object, any>;
  export default c;
}
declare module '*.geojson?raw' {
  const s: string;
  export default s;
}
