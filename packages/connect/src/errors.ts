import { InvalidArgumentError, StoreSetupError, type KeyValueErrorOptions } from "@kv/core";

/** A store URL that cannot be read: unknown scheme, bad port, missing or unknown parameter. Never holds a credential. */
export class InvalidStoreUrlError extends InvalidArgumentError {
  constructor(message: string, options?: KeyValueErrorOptions) {
    super(message, options);
  }
}

/** The backend package a URL needs is not installed; `packageName` is what to install. */
export class BackendNotInstalledError extends StoreSetupError {
  readonly packageName: string;

  constructor(scheme: string, packageName: string, options?: KeyValueErrorOptions) {
    super(`${scheme}:// stores need the package ${packageName}, which is not installed: npm install ${packageName}`, options);
    this.packageName = packageName;
  }
}
