import {
  Arg,
  Args,
  Ctx,
  Field,
  FieldResolver,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Context } from '../../platform/context';
import { Connection, PageArgs, connectionComplexity } from '../../platform/pagination';
import { User } from '../identity/identity.entity';
import * as exportsService from './exports';
import { DataExport, RetentionSettings } from './privacy.entity';
import * as retention from './retention';

@ObjectType()
export class DataExportConnection extends Connection(DataExport, 'DataExport', {
  totalCount: 'How many data exports you have (all pages): those of the last 30 days.',
}) {}

@ObjectType({ description: 'The result of `requestDataExport`.' })
export class RequestDataExportPayload {
  @Field(() => DataExport, { description: 'The export requested: PENDING until its job has built the archive.' })
  dataExport!: DataExport;
}

@InputType({ description: 'Retention settings to change; a field left out stays as it is.' })
export class UpdateRetentionSettingsInput {
  @Field(() => Int, {
    nullable: true,
    description: 'Days live-stream chat messages are kept (1 to 36500); null: kept.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(36_500)
  chatMessageDays?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Days a read notification is kept (1 to 3650); null: NOTIFICATION_RETENTION_DAYS.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  notificationDays?: number | null;

  @Field(() => Int, { nullable: true, description: 'Hours a client IP address may be kept (1 to 8760).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(8760)
  ipAddressHours?: number;
}

@Resolver(() => DataExport)
export class DataExportResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Where to download the archive (a JSON file) while it is READY, until `expiresAt`: the link itself is the credential, so keep it to yourself. Null otherwise.',
  })
  downloadUrl(@Root() exp: DataExport, @Ctx() ctx: Context): string | null {
    return exportsService.downloadUrl(exp, ctx.config);
  }

  @Mutation(() => RequestDataExportPayload, {
    description:
      'Asks for a copy of everything you created and everything about you, as one JSON archive built by a background job: follow it in `viewer.dataExports`. Signed-in users with a session; one pending at a time (CONFLICT) and DATA_EXPORT_DAILY_LIMIT a day (RATE_LIMITED).',
  })
  async requestDataExport(@Ctx() ctx: Context): Promise<RequestDataExportPayload> {
    return { dataExport: await exportsService.requestDataExport(ctx) };
  }
}

@Resolver(() => User)
export class UserDataExportsResolver {
  @FieldResolver(() => DataExportConnection, {
    complexity: connectionComplexity,
    description: 'Your data exports, newest first, with their download links. Only the user themself may read them.',
  })
  dataExports(@Root() user: User, @Args() args: PageArgs, @Ctx() ctx: Context) {
    return exportsService.dataExports(ctx, user.id, args);
  }
}

@Resolver(() => RetentionSettings)
export class RetentionSettingsResolver {
  @Query(() => RetentionSettings, {
    description: 'How long this platform keeps chat messages, notifications and IP addresses. Platform admins only.',
  })
  retentionSettings(@Ctx() ctx: Context): Promise<RetentionSettings> {
    return retention.retentionSettings(ctx);
  }

  @Mutation(() => RetentionSettings, {
    description:
      'Changes how long this platform keeps chat messages, notifications and IP addresses; the retention jobs follow it at their next run. Platform admins only.',
  })
  updateRetentionSettings(
    @Arg('input', { description: 'The settings to change.' }) input: UpdateRetentionSettingsInput,
    @Ctx() ctx: Context,
  ): Promise<RetentionSettings> {
    return retention.updateRetentionSettings(ctx, input);
  }
}
