export { KeyValueWrapper, capabilitiesOf, capabilitiesOfAll, closeStores, forEachStore, setupStores } from "./wrapper.js";
export { ValueTransformWrapper } from "./value-transform-wrapper.js";
