/*
 * EXCERPTS of drivers/base/core.c (upstream Linux, recent mainline ~v6.16/6.17, i.e. BEFORE the async
 * shutdown series). Source: GitHub mirror Kingxukai/linux, commit 9b44fff655e2c6f4cc53cb499dd2c038e99cb013
 *. Verbatim except: kernel-doc comments trimmed in places ("[...]"),
 * and the mirror's "the woke" comment artifact normalized to "the". Functions included:
 *   device_link_flag_is_sync_state_only, device_is_dependent, device_reorder_to_tail,
 *   device_pm_move_to_tail, device_link_add (ordering-relevant parts), fw_devlink proxy-link comments,
 *   devices_kset_move_before/after/last, klist_children_get/put, device_private_init,
 *   device_add (ordering-relevant parts), kill_device, device_del (ordering-relevant parts),
 *   device_for_each_child, device_move, device_shutdown (full, the pre-patch loop).
 * NOTE: the v14..v18 patches are against slightly different bases (v14: Linus tree Apr 2026; v16+:
 * driver-core-next), but device_shutdown() is textually the same as the "-" lines of v14 1/5.
 *
 * cfront baseline (shutdowncheck): this excerpt, with the lines between this comment and
 * DL_MARKER_FLAGS added so that the series' patches find their context: the #include lines and the
 * "Device links support" lines are quoted from the context lines of the series' own hunks
 * "@@ -9,6 +9,7 @@" and "@@ -37,6 +38,10 @@" (v11 3/5 .. v17 3/5; see cfront/baseline/SOURCES.md).
 * A "[...]" comment marks kernel lines left out. Nothing else differs from the upstream excerpt.
 */

#include <linux/acpi.h>
#include <linux/blkdev.h>
#include <linux/cleanup.h>
#include <linux/cpufreq.h>
/* [...] */
#include "physical_location.h"
#include "power/power.h"

/* Device links support. */
static LIST_HEAD(deferred_sync);
static unsigned int defer_sync_state_count = 1;
/* [...] */

#define DL_MARKER_FLAGS		(DL_FLAG_INFERRED | \
				 DL_FLAG_CYCLE | \
				 DL_FLAG_MANAGED)
static inline bool device_link_flag_is_sync_state_only(u32 flags)
{
	return (flags & ~DL_MARKER_FLAGS) == DL_FLAG_SYNC_STATE_ONLY;
}

static int device_is_dependent(struct device *dev, void *target)
{
	struct device_link *link;
	int ret;

	/*
	 * The "ancestors" check is needed to catch the case when the target
	 * device has not been completely initialized yet and it is still
	 * missing from the list of children of its parent device.
	 */
	if (dev == target || device_is_ancestor(dev, target))
		return 1;

	ret = device_for_each_child(dev, target, device_is_dependent);
	if (ret)
		return ret;

	list_for_each_entry(link, &dev->links.consumers, s_node) {
		if (device_link_flag_is_sync_state_only(link->flags))
			continue;

		if (link->consumer == target)
			return 1;

		ret = device_is_dependent(link->consumer, target);
		if (ret)
			break;
	}
	return ret;
}

static int device_reorder_to_tail(struct device *dev, void *not_used)
{
	struct device_link *link;

	/*
	 * Devices that have not been registered yet will be put to the ends
	 * of the lists during the registration, so skip them here.
	 */
	if (device_is_registered(dev))
		devices_kset_move_last(dev);

	if (device_pm_initialized(dev))
		device_pm_move_last(dev);

	device_for_each_child(dev, NULL, device_reorder_to_tail);
	list_for_each_entry(link, &dev->links.consumers, s_node) {
		if (device_link_flag_is_sync_state_only(link->flags))
			continue;
		device_reorder_to_tail(link->consumer, NULL);
	}

	return 0;
}

/*
 * device_pm_move_to_tail - Move set of devices to the end of device lists
 * [...] It moves the @dev along with all of its children and all of its consumers
 * to the ends of the device_kset and dpm_list, recursively.
 */
void device_pm_move_to_tail(struct device *dev)
{
	int idx;

	idx = device_links_read_lock();
	device_pm_lock();
	device_reorder_to_tail(dev, NULL);
	device_pm_unlock();
	device_links_read_unlock(idx);
}

/* ---- device_link_add(): ordering-relevant parts (kernel-doc says: "A side effect of the link
 * creation is re-ordering of dpm_list and the devices_kset list by moving the consumer device and
 * all devices depending on it to the ends of these lists (that does not happen to devices that have
 * not been registered when this function is called)." The consumer need not be registered.) ---- */
struct device_link *device_link_add(struct device *consumer,
				    struct device *supplier, u32 flags)
{
	[...]
	if (flags & DL_FLAG_SYNC_STATE_ONLY &&
	    !device_link_flag_is_sync_state_only(flags))
		return NULL;

	device_links_write_lock();
	device_pm_lock();

	/*
	 * If the supplier has not been fully registered yet or there is a
	 * reverse (non-SYNC_STATE_ONLY) dependency between the consumer and
	 * the supplier already in the graph, return NULL. If the link is a
	 * SYNC_STATE_ONLY link, we don't check for reverse dependencies
	 * because it only affects sync_state() callbacks.
	 */
	if (!device_pm_initialized(supplier)
	    || (!(flags & DL_FLAG_SYNC_STATE_ONLY) &&
		  device_is_dependent(consumer, supplier))) {
		link = NULL;
		goto out;
	}
	[...]
	list_for_each_entry(link, &supplier->links.consumers, s_node) {
		if (link->consumer != consumer)
			continue;
		[...]
		if (flags & DL_FLAG_STATELESS) {
			kref_get(&link->kref);
			if (device_link_test(link, DL_FLAG_SYNC_STATE_ONLY) &&
			    !device_link_test(link, DL_FLAG_STATELESS)) {
				link->flags |= DL_FLAG_STATELESS;
				goto reorder;
			} else {
				link->flags |= DL_FLAG_STATELESS;
				goto out;
			}
		}
		[...]
		if (device_link_test(link, DL_FLAG_SYNC_STATE_ONLY) &&
		    !(flags & DL_FLAG_SYNC_STATE_ONLY)) {
			link->flags &= ~DL_FLAG_SYNC_STATE_ONLY;
			goto reorder;
		}

		goto out;
	}
	[... allocate + register new link ...]
	list_add_tail_rcu(&link->s_node, &supplier->links.consumers);
	list_add_tail_rcu(&link->c_node, &consumer->links.suppliers);

	if (flags & DL_FLAG_SYNC_STATE_ONLY) {
		dev_dbg(consumer,
			"Linked as a sync state only consumer to %s\n",
			dev_name(supplier));
		goto out;			/* <-- NO reordering for SYNC_STATE_ONLY links */
	}

reorder:
	/*
	 * Move the consumer and all of the devices depending on it to the end
	 * of dpm_list and the devices_kset list.
	 *
	 * It is necessary to hold dpm_list locked throughout all that or else
	 * we may end up suspending with a wrong ordering of it.
	 */
	device_reorder_to_tail(consumer, NULL);
	[...]
}

/* ---- fw_devlink (same file): where SYNC_STATE_ONLY links come from ----
 * __fw_devlink_relax_cycles(): "When such dependency cycles are found, convert all device links
 *   created solely by fw_devlink into SYNC_STATE_ONLY device links. Also, mark all fwnode links in
 *   the cycle with FWLINK_FLAG_CYCLE so that when they are converted into a device link in the
 *   future, they are created as SYNC_STATE_ONLY device links." (fw_devlink_relax_link(dev_link);
 *   dev_link->flags |= DL_FLAG_CYCLE;)
 * fw_devlink_create_devlink(): flags = fw_devlink_get_flags(link->flags) if con->fwnode is the real
 *   consumer, else FW_DEVLINK_FLAGS_PERMISSIVE (proxy link).
 * __fw_devlink_link_to_consumers(): "If consumer device is not available yet, make a "proxy"
 *   SYNC_STATE_ONLY link from the consumer's parent device to the supplier device. [...] This proxy
 *   link step is needed to handle the case where the consumer's parent device is added before the
 *   supplier."
 * __fw_devlink_link_to_suppliers(): "Make "proxy" SYNC_STATE_ONLY device links to represent the needs
 *   of all the descendants. This proxy link step is needed to handle the case where the supplier is
 *   added before the consumer's parent device (@dev)."
 * => a SYNC_STATE_ONLY consumer is, by construction, often EARLIER in devices_kset than its supplier
 *    (consumer's parent added first), and device_link_add() does not reorder it.
 */

/* /sys/devices/ */
struct kset *devices_kset;

static void devices_kset_move_before(struct device *deva, struct device *devb)
{
	if (!devices_kset)
		return;
	pr_debug("devices_kset: Moving %s before %s\n",
		 dev_name(deva), dev_name(devb));
	spin_lock(&devices_kset->list_lock);
	list_move_tail(&deva->kobj.entry, &devb->kobj.entry);
	spin_unlock(&devices_kset->list_lock);
}

static void devices_kset_move_after(struct device *deva, struct device *devb)
{
	if (!devices_kset)
		return;
	pr_debug("devices_kset: Moving %s after %s\n",
		 dev_name(deva), dev_name(devb));
	spin_lock(&devices_kset->list_lock);
	list_move(&deva->kobj.entry, &devb->kobj.entry);
	spin_unlock(&devices_kset->list_lock);
}

void devices_kset_move_last(struct device *dev)
{
	if (!devices_kset)
		return;
	pr_debug("devices_kset: Moving %s to end of list\n", dev_name(dev));
	spin_lock(&devices_kset->list_lock);
	list_move_tail(&dev->kobj.entry, &devices_kset->list);
	spin_unlock(&devices_kset->list_lock);
}

/* klist_children references: iterating a parent's klist_children takes a device reference
 * on the child currently visited (used by device_for_each_child). */
static void klist_children_get(struct klist_node *n)
{
	struct device_private *p = to_device_private_parent(n);
	struct device *dev = p->device;

	get_device(dev);
}

static void klist_children_put(struct klist_node *n)
{
	struct device_private *p = to_device_private_parent(n);
	struct device *dev = p->device;

	put_device(dev);
}

static int device_private_init(struct device *dev)
{
	dev->p = kzalloc(sizeof(*dev->p), GFP_KERNEL);
	if (!dev->p)
		return -ENOMEM;
	dev->p->device = dev;
	klist_init(&dev->p->klist_children, klist_children_get,
		   klist_children_put);
	INIT_LIST_HEAD(&dev->p->deferred_probe);
	return 0;
}

/* ---- device_add(): ordering-relevant parts ---- */
int device_add(struct device *dev)
{
	[...]
	dev = get_device(dev);
	if (!dev)
		goto done;

	if (!dev->p) {
		error = device_private_init(dev);
		if (error)
			goto done;
	}
	[...]
	parent = get_device(dev->parent);	/* child holds a parent ref until device_del() */
	kobj = get_device_parent(dev, parent);
	[...]
	/* first, register with generic layer. */
	/* we require the name to be set before, and pass NULL */
	error = kobject_add(&dev->kobj, dev->kobj.parent, NULL);
			/* ^ kobject_add -> kobj_kset_join: list_add_tail on devices_kset->list
			 *   under devices_kset->list_lock (new device goes to the TAIL) */
	[...]
	device_pm_add(dev);
	[...]
	if (dev->fwnode && !dev->fwnode->dev) {
		dev->fwnode->dev = dev;
		fw_devlink_link_device(dev);	/* may call device_link_add() -> reorder */
	}

	bus_probe_device(dev);
	[...]
	if (parent)
		klist_add_tail(&dev->p->knode_parent,
			       &parent->p->klist_children);
			/* ^ NOTE: a device becomes visible in devices_kset BEFORE it is
			 *   visible in its parent's klist_children */
	[...]
done:
	put_device(dev);
	return error;
	[... error unwinding ...]
 attrError:
	device_platform_notify_remove(dev);
	kobject_uevent(&dev->kobj, KOBJ_REMOVE);
	glue_dir = get_glue_dir(dev);
	kobject_del(&dev->kobj);		/* removes it from devices_kset again */
 Error:
	cleanup_glue_dir(dev, glue_dir);
parent_error:
	put_device(parent);
name_error:
	kfree(dev->p);
	dev->p = NULL;				/* <-- sashiko v18: dev->p can become NULL */
	goto done;
}

bool kill_device(struct device *dev)
{
	/*
	 * Require the device lock and set the "dead" flag to guarantee that
	 * the update behavior is consistent with the other bitfields near
	 * it and that we cannot have an asynchronous probe routine trying
	 * to run while we are tearing out the bus/class/sysfs from
	 * underneath the device.
	 */
	device_lock_assert(dev);

	if (dev->p->dead)
		return false;
	dev->p->dead = true;
	return true;
}
EXPORT_SYMBOL_GPL(kill_device);

/* ---- device_del(): ordering-relevant parts ---- */
void device_del(struct device *dev)
{
	struct subsys_private *sp;
	struct device *parent = dev->parent;
	struct kobject *glue_dir = NULL;
	struct class_interface *class_intf;
	unsigned int noio_flag;

	device_lock(dev);
	kill_device(dev);			/* dead = 1 under device_lock */
	device_unlock(dev);
	[...]
	noio_flag = memalloc_noio_save();
	bus_notify(dev, BUS_NOTIFY_DEL_DEVICE);

	dpm_sysfs_remove(dev);
	if (parent)
		klist_del(&dev->p->knode_parent);	/* leaves parent's children list */
	[...]
	bus_remove_device(dev);
	device_pm_remove(dev);
	driver_deferred_probe_del(dev);
	device_platform_notify_remove(dev);
	device_links_purge(dev);		/* drops its device links */
	[...]
	devres_release_all(dev);

	bus_notify(dev, BUS_NOTIFY_REMOVED_DEVICE);
	kobject_uevent(&dev->kobj, KOBJ_REMOVE);
	glue_dir = get_glue_dir(dev);
	kobject_del(&dev->kobj);		/* kobj_kset_leave: list_del_init from devices_kset
						 * under devices_kset->list_lock */
	cleanup_glue_dir(dev, glue_dir);
	memalloc_noio_restore(noio_flag);
	put_device(parent);			/* drops the parent reference taken in device_add */
}
EXPORT_SYMBOL_GPL(device_del);

int device_for_each_child(struct device *parent, void *data,
			  device_iter_t fn)
{
	struct klist_iter i;
	struct device *child;
	int error = 0;

	if (!parent || !parent->p)
		return 0;

	klist_iter_init(&parent->p->klist_children, &i);
	while (!error && (child = next_device(&i)))
		error = fn(child, data);
	klist_iter_exit(&i);
	return error;
}
EXPORT_SYMBOL_GPL(device_for_each_child);

int device_move(struct device *dev, struct device *new_parent,
		enum dpm_order dpm_order)
{
	int error;
	struct device *old_parent;
	struct kobject *new_parent_kobj;

	dev = get_device(dev);
	if (!dev)
		return -EINVAL;

	device_pm_lock();
	new_parent = get_device(new_parent);
	new_parent_kobj = get_device_parent(dev, new_parent);
	[...]
	error = kobject_move(&dev->kobj, new_parent_kobj);
	[...]
	old_parent = dev->parent;
	dev->parent = new_parent;
	if (old_parent)
		klist_remove(&dev->p->knode_parent);
	if (new_parent) {
		klist_add_tail(&dev->p->knode_parent,
			       &new_parent->p->klist_children);
		set_dev_node(dev, dev_to_node(new_parent));
	}
	[... class link error handling ...]
	switch (dpm_order) {
	case DPM_ORDER_NONE:
		break;			/* <-- devices_kset NOT reordered: dev may now precede new_parent */
	case DPM_ORDER_DEV_AFTER_PARENT:
		device_pm_move_after(dev, new_parent);
		devices_kset_move_after(dev, new_parent);
		break;
	case DPM_ORDER_PARENT_BEFORE_DEV:
		device_pm_move_before(new_parent, dev);
		devices_kset_move_before(new_parent, dev);
		break;
	case DPM_ORDER_DEV_LAST:
		device_pm_move_last(dev);
		devices_kset_move_last(dev);
		break;
	}
	/* NB: only dev itself is moved, not its children/consumers (unlike device_reorder_to_tail) */

	put_device(old_parent);
out:
	device_pm_unlock();
	put_device(dev);
	return error;
}
EXPORT_SYMBOL_GPL(device_move);

/**
 * device_shutdown - call ->shutdown() on each device to shutdown.
 */
void device_shutdown(void)
{
	struct device *dev, *parent;

	wait_for_device_probe();
	device_block_probing();

	cpufreq_suspend();

	spin_lock(&devices_kset->list_lock);
	/*
	 * Walk the devices list backward, shutting down each in turn.
	 * Beware that device unplug events may also start pulling
	 * devices offline, even as the system is shutting down.
	 */
	while (!list_empty(&devices_kset->list)) {
		dev = list_entry(devices_kset->list.prev, struct device,
				kobj.entry);

		/*
		 * hold reference count of device's parent to
		 * prevent it from being freed because parent's
		 * lock is to be held
		 */
		parent = get_device(dev->parent);
		get_device(dev);
		/*
		 * Make sure the device is off the kset list, in the
		 * event that dev->*->shutdown() doesn't remove it.
		 */
		list_del_init(&dev->kobj.entry);
		spin_unlock(&devices_kset->list_lock);

		/* hold lock to avoid race with probe/release */
		if (parent)
			device_lock(parent);
		device_lock(dev);

		/* Don't allow any more runtime suspends */
		pm_runtime_get_noresume(dev);
		pm_runtime_barrier(dev);

		if (dev->class && dev->class->shutdown_pre) {
			if (initcall_debug)
				dev_info(dev, "shutdown_pre\n");
			dev->class->shutdown_pre(dev);
		}
		if (dev->bus && dev->bus->shutdown) {
			if (initcall_debug)
				dev_info(dev, "shutdown\n");
			dev->bus->shutdown(dev);
		} else if (dev->driver && dev->driver->shutdown) {
			if (initcall_debug)
				dev_info(dev, "shutdown\n");
			dev->driver->shutdown(dev);
		}

		device_unlock(dev);
		if (parent)
			device_unlock(parent);

		put_device(dev);
		put_device(parent);

		spin_lock(&devices_kset->list_lock);
	}
	spin_unlock(&devices_kset->list_lock);
}
