import { type CliContext, requireFlag, withServices } from './context.ts';

/** `relink connect origins --app ID [ORIGIN…] [--clear]`: show or set who may frame the widget. */
export async function connectCommand(context: CliContext, sub: string | undefined, rest: string[]): Promise<number> {
  if (sub !== 'origins') throw new Error(`unknown command "connect ${sub ?? ''}": use connect origins --app ID [ORIGIN…] [--clear]`);
  const id = requireFlag(context, 'app');
  const clear = context.values.clear === true;
  if (clear && rest.length > 0) throw new Error('give origins or --clear, not both');
  const origins = await withServices(context, async (services) => {
    const { connect } = services;
    if (clear || rest.length > 0) return connect.origins.set(id, clear ? null : rest);
    const app = await services.apps.get(id);
    if (!app) throw new Error(`no app with id ${id}`);
    return connect.origins.of(app);
  });
  if (context.values.json) context.out(JSON.stringify({ app: id, origins }));
  else if (origins === null) context.out(`Any page may frame app ${id}'s widget.`);
  else context.out(`App ${id}'s widget may be framed only by: ${origins.join(' ')}`);
  return 0;
}
