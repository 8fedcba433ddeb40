import { json, type EmuRequest, type Reply } from '../http.js';

/**
 * Exchange admin REST response shapes (spec §5.2–5.3, reverse-engineered): `value` plus
 * `@adminapi.warnings`, `@odata.nextLink` for paging; errors as `{"error":{code,message,details:[{message:
 * "code|type|text"}],innererror}}` with X-ExceptionType; the plain-text concurrency error.
 */
export function ok(
  req: EmuRequest,
  tenant: string,
  value: unknown[],
  extra: { warnings?: string[]; nextLink?: string; headers?: Record<string, string> } = {},
): Reply {
  const body: Record<string, unknown> = {
    '@odata.context': `${req.base}/adminapi/beta/${tenant}/$metadata#Collection(Exchange.GenericHashTable)`,
    'adminapi.warnings@odata.type': '#Collection(String)',
    '@adminapi.warnings': extra.warnings ?? [],
    value,
  };
  if (extra.nextLink) body['@odata.nextLink'] = extra.nextLink;
  return json(200, body, extra.headers);
}

export interface ExoError {
  status: number;
  errorCode: string;
  exceptionType: string;
  text: string;
  category?: string;
}

export function exoError(e: ExoError, headers: Record<string, string> = {}): Reply {
  const detail = `${e.errorCode}|${e.exceptionType}|${e.text}`;
  return json(
    e.status,
    {
      error: {
        code: e.status >= 500 ? 'InternalServerError' : 'BadRequest',
        message: detail,
        details: [{ code: 'Context', target: '', message: detail }],
        innererror: {
          message: detail,
          type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
          ...(e.category ? { FailureCategory: e.category } : {}),
          internalException: { message: e.text, type: e.exceptionType },
        },
      },
    },
    { 'X-ExceptionType': e.exceptionType, ...headers },
  );
}

export const EXO = {
  dehydrated: (): ExoError => ({
    status: 400,
    errorCode: 'Ex5E8A3F',
    exceptionType: 'Microsoft.Exchange.Management.Tasks.InvalidOperationInDehydratedContextException',
    category: 'Cmdlet-InvalidOperationInDehydratedContextException',
    text: "The command you tried to run isn't currently allowed in your organization. To run this command, you first need to run the command: Enable-OrganizationCustomization.",
  }),
  notFound: (identity: string, tenant: string): ExoError => ({
    status: 404,
    errorCode: 'Ex6F9304',
    exceptionType: 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
    text: `The operation couldn't be performed because object '${identity}' couldn't be found on '${tenant}'.`,
  }),
  badParameter: (name: string, why: string): ExoError => ({
    status: 400,
    errorCode: 'Ex4D8B62',
    exceptionType: 'System.Management.Automation.ParameterBindingException',
    text: `Cannot process argument transformation on parameter '${name}'. ${why}`,
  }),
  unknownCmdlet: (name: string): ExoError => ({
    status: 400,
    errorCode: 'Ex1B2C3D',
    exceptionType: 'System.Management.Automation.CommandNotFoundException',
    text: `The term '${name}' is not recognized as a name of a cmdlet available through the Exchange admin REST endpoint of this emulator.`,
  }),
  alreadyHydrated: (): ExoError => ({
    status: 400,
    errorCode: 'Ex7A1F44',
    exceptionType: 'Microsoft.Exchange.Management.Tasks.OrganizationCustomizationAlreadyEnabledException',
    text: 'This operation is not required. Organization is already enabled for customization.',
  }),
  setFailed: (identity: string): ExoError => ({
    status: 500,
    errorCode: 'ExB0D1E2',
    exceptionType: 'Microsoft.Exchange.Data.Storage.StoragePermanentException',
    text: `An error occurred while updating mailbox '${identity}'. The server cannot save the change now.`,
  }),
  internal: (): ExoError => ({
    status: 500,
    errorCode: 'Ex0E0E0E',
    exceptionType: 'Microsoft.Exchange.Data.Directory.ADTransientException',
    text: 'A server side error has occurred because of which the operation could not be completed. Please try again after some time.',
  }),
};

export const CONCURRENCY_TEXT =
  'You have reached the maximum number of concurrent requests per tenant. Please wait and try again';
