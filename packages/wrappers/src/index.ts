export { KeyValueWrapper, capabilitiesOf, capabilitiesOfAll, closeStores, forEachStore, setupStores } from "./wrapper.js";
export { ValueTransformWrapper } from "./value-transform-wrapper.js";
export { CompressionWrapper, type CompressionWrapperOptions } from "./transforms/compression-wrapper.js";
export { EncryptedValueWrapper, type EncryptedPayload, type EncryptedValueOptions, type OpenedPayload, type SealedValue } from "./transforms/encrypted-value-wrapper.js";
export { EncryptionWrapper, type EncryptionKey, type EncryptionWrapperOptions } from "./transforms/encryption-wrapper.js";
export { FernetEncryptionWrapper, type FernetEncryptionWrapperOptions } from "./transforms/fernet-encryption-wrapper.js";
export { LimitSizeWrapper, type LimitSizeWrapperOptions } from "./transforms/limit-size-wrapper.js";
